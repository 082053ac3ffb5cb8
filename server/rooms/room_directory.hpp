// What the signaling service needs from a rooms registry: joins, leaves,
// relay routing and membership proofs, with notices about members handed
// back through a Notifier. The in-memory Registry implements it; a shared
// (Redis) one is meant to, so that several servers can hold one room.
#pragma once

#include "server/rooms/clock.hpp"
#include "server/rooms/errors.hpp"
#include "server/rooms/resume_token.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fc::rooms {

// A connection on this server (a Socket.IO socket's serial number). Other
// servers' connections never appear as ConnIds: a shared registry speaks
// of them by peerId and reaches them through its own channel.
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
// the same bytes to every connection listed. Every list names connections
// of this server only; a shared registry tells members on other servers
// through its own channel, and their servers' registries call their own
// Notifier. A directory calls it only after it has finished changing, and
// holds nothing of its own across the call, so an implementation may call
// back into the directory (a send that tears a session down leaves that
// session's room).
class Notifier {
public:
    virtual ~Notifier() = default;
    virtual void peer_joined(std::span<const ConnId> to, const Member& who) = 0;
    virtual void peer_left(std::span<const ConnId> to, std::string_view peer_id,
                           LeaveReason reason) = 0;
    // The connection's member was replaced by a newer one with its clientId.
    virtual void replaced(ConnId conn) = 0;
    // A signal another server relayed to one of this server's connections:
    // the event array as the Socket.IO packet carries it, and its binary
    // attachments. (Signals between this server's own connections never
    // come here: the service sends those itself, see route().)
    virtual void relayed(ConnId to, std::string_view event_json,
                         std::span<const std::string> attachments) = 0;
};

struct JoinRequest {
    std::string_view room_id;
    std::string_view client_id;
    std::string_view display_name;
    std::string_view resume_token = {}; // empty: none
};

// Copies, not pointers into the directory: the caller answers the join
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

// The rooms contract as the service sees it (tests/unit/rooms/
// room_directory_test.cpp holds it as tests every implementation passes).
//
// Which calls may wait: a join must be decided against every server's view
// of the room (room-full, a clientId taken elsewhere), so it completes
// through a handler, which a shared registry calls once its store answered.
// Leaves, routing and member() are answered from what this server holds:
// a leave removes one of its own connections (and tells the others
// afterwards); routing and member() read its own members and the rooms
// they are in, which a shared registry keeps a copy of. So a relayed
// signal costs two virtual calls and no I/O. holds() answers from this
// server's rooms; check_holds() from all of them.
class RoomDirectory {
public:
    // How long a member that joined with a resume token and then lost its
    // connection keeps its clientId. Long enough for a phone to come back
    // from a tunnel, a lock screen or a dead-spot in the crowd (socket.io's
    // reconnection backs off to seconds, a backgrounded tab lets go of
    // signaling for minutes); short enough that a reservation does not
    // outlive anyone's interest in it.
    static constexpr std::chrono::minutes kReservationGrace{10};

    using JoinResult = boost::system::result<Joined, Error>;
    // Called exactly once per join, after the notices of that join went
    // out. The in-memory registry calls it before join() returns; a shared
    // one may call it later, when the connection may be gone (the caller
    // looks it up again).
    using JoinHandler = std::function<void(JoinResult)>;

    virtual ~RoomDirectory() = default;

    // Where notices about this server's connections go; null: nowhere
    // (notices are dropped). The service sets itself here for its lifetime
    // and detaches when destroyed: join handlers still pending then refer
    // to it, so they are dropped, never run.
    virtual void set_notifier(Notifier* notifier) = 0;

    // Joins `conn` to a room, leaving its previous room first. Ids must
    // have been validated (see ids.hpp). Refused with client_id_taken when
    // the clientId is held or reserved under a resume token the request
    // does not carry (nothing changes then), and with room_full. The
    // request's views need only live until join() returns.
    virtual void join(ConnId conn, const JoinRequest& req, JoinHandler done) = 0;
    // Leaves the connection's room, if any. False if it was in none.
    virtual bool leave(ConnId conn, LeaveReason reason) = 0;
    // The connection a signal from `from` to `peer_id` goes to, if both are
    // in the same room. (The hot path: one call per relayed signal.)
    virtual std::optional<ConnId> route(ConnId from, std::string_view peer_id) const = 0;
    // When route() found no connection here: passes the signal (its event
    // array, encoded for the target, and attachments) to the server the
    // peer is connected to, if it is in the sender's room on another
    // server and that server can be reached. False: no such peer (or no
    // way to it now), and nothing was sent.
    virtual bool forward(ConnId from, std::string_view peer_id, std::string_view event_json,
                         std::span<const std::string> attachments) = 0;
    // The member a connection of this server is, if it is in a room. Valid
    // until the next join or leave.
    virtual const Member* member(ConnId conn) const = 0;
    // Whether a current member of the room has this clientId and joined
    // with this resume token (what TURN credentials are gated on).
    virtual bool holds(std::string_view room_id, std::string_view client_id,
                       std::string_view token) const = 0;
    // The same question for a member that may be connected to another
    // server (a shared directory asks its store): answered through
    // `answer`, exactly once, at once or later. By default, holds().
    virtual void check_holds(std::string_view room_id, std::string_view client_id,
                             std::string_view token, std::function<void(bool)> answer) const {
        answer(holds(room_id, client_id, token));
    }

    // For /metrics: rooms with members of this server, this server's
    // members, and the joins, replacements and leaves it has seen.
    virtual std::size_t room_count() const = 0;
    virtual std::size_t member_count() const = 0;
    virtual Counts counts() const = 0;
};

} // namespace fc::rooms
