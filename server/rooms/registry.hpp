// The in-memory room registry: who is in which room, joins with the
// replacement of a reloaded tab's stale self, identities kept by resume
// tokens, leaves, and relay routing. It knows connections only by number
// and tells members about each other through a Notifier, so a shared
// (Redis) registry can take its place.
#pragma once

#include "server/rooms/clock.hpp"
#include "server/rooms/errors.hpp"
#include "server/rooms/resume_token.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace fc::rooms {

using ConnId = std::uint64_t;

struct Member {
    ConnId conn = 0;
    std::string peer_id;
    std::string client_id;
    std::string display_name;
    // Digest of the resume token it joined with. Without one, anyone who
    // names its clientId replaces it (the contract's reload rule): only a
    // token protects an identity.
    std::optional<TokenDigest> token = std::nullopt;
    Clock::time_point joined_at{}; // how long it stayed decides which reservation goes first
};

enum class LeaveReason { left, disconnected, replaced };
std::string_view to_string(LeaveReason r);

// Implemented by the signaling layer: it encodes each event once and sends
// the same bytes to every connection listed. The registry calls it only
// after it has finished changing, and holds nothing of its own across the
// call, so an implementation may call back into the registry (a send that
// tears a session down leaves that session's room).
class Notifier {
public:
    virtual ~Notifier() = default;
    virtual void peer_joined(std::span<const ConnId> to, const Member& who) = 0;
    virtual void peer_left(std::span<const ConnId> to, std::string_view peer_id,
                           LeaveReason reason) = 0;
    // The connection's member was replaced by a newer one with its clientId.
    virtual void replaced(ConnId conn) = 0;
};

struct JoinRequest {
    std::string_view room_id;
    std::string_view client_id;
    std::string_view display_name;
    std::string_view resume_token = {}; // empty: none
};

// Copies, not pointers into the registry: the caller answers the join
// after the notifications went out, and those may have changed the room.
struct Joined {
    Member self;
    std::vector<Member> peers; // everyone else, in join order
};

struct Counts {
    std::uint64_t joins = 0;
    std::uint64_t replacements = 0;
    std::uint64_t leaves = 0;
};

class Registry {
public:
    // How long a member that joined with a resume token and then lost its
    // connection keeps its clientId. Long enough for a phone to come back
    // from a tunnel, a lock screen or a dead-spot in the crowd (socket.io's
    // reconnection backs off to seconds, a backgrounded tab lets go of
    // signaling for minutes); short enough that a reservation does not
    // outlive anyone's interest in it.
    static constexpr std::chrono::minutes kReservationGrace{10};

    Registry(Notifier& notifier, std::size_t max_room_size,
             std::function<Clock::time_point()> clock = Clock::now);

    // Joins `conn` to a room, leaving its previous room first. Ids must
    // have been validated (see ids.hpp). Refused with client_id_taken when
    // the clientId is held or reserved under a resume token the request
    // does not carry (nothing changes then), and with room_full.
    boost::system::result<Joined, Error> join(ConnId conn, const JoinRequest& req);
    // Leaves the connection's room, if any. False if it was in none.
    bool leave(ConnId conn, LeaveReason reason);
    // The connection a signal to `peer_id` goes to, if sender and target
    // share a room.
    std::optional<ConnId> route(ConnId from, std::string_view peer_id) const;
    const Member* member(ConnId conn) const;
    // Whether a current member of the room has this clientId and joined
    // with this resume token (what TURN credentials are gated on).
    bool holds(std::string_view room_id, std::string_view client_id, std::string_view token) const;

    std::size_t room_count() const { return rooms_.size(); }
    std::size_t member_count() const { return where_.size(); }
    const Counts& counts() const { return counts_; }
    std::size_t max_room_size() const { return max_room_size_; }

private:
    // A clientId kept for a member that disconnected (see kReservationGrace).
    struct Reservation {
        std::string client_id;
        TokenDigest token;
        Clock::time_point until;
        Clock::duration stayed; // how long its member had been in the room
    };
    using Reservations = std::vector<Reservation>; // at most max_room_size
    struct Room {
        std::string id;
        std::vector<Member> members;
        Reservations reserved;
    };
    class Outbox; // notifications held until the registry is consistent

    bool may_take(const Room* room, const Reservations* orphaned, ConnId conn,
                  const JoinRequest& req, const std::optional<TokenDigest>& token) const;
    bool take_out(ConnId conn, LeaveReason reason, Outbox& out);
    void remove(Room& room, std::size_t index, LeaveReason reason, Outbox& out);
    void reserve(Room& room, const Member& gone);
    // Reservations of rooms whose last member left outlive the room until
    // they expire: otherwise emptying a room (two people, one offline, the
    // other leaves) would free the offline one's identity for anyone.
    void orphan(Room& room);
    void prune_orphans(Clock::time_point now);

    Notifier& notifier_;
    std::size_t max_room_size_;
    std::function<Clock::time_point()> clock_;
    std::unordered_map<std::string, Room> rooms_;
    // conn -> its room. References to unordered_map values stay valid
    // across rehashing (iterators do not).
    std::unordered_map<ConnId, Room*> where_;
    // Room id -> the reservations of an emptied room, and the order the
    // rooms emptied in (which is the order they expire in).
    std::unordered_map<std::string, Reservations> orphans_;
    std::deque<std::pair<Clock::time_point, std::string>> orphan_order_;
    Counts counts_;
};

} // namespace fc::rooms
