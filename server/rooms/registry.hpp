// The in-memory room registry: who is in which room, joins with the
// replacement of a reloaded tab's stale self, leaves, and relay routing.
// It knows connections only by number and tells members about each other
// through a Notifier, so a shared (Redis) registry can take its place.
#pragma once

#include "server/rooms/errors.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
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
};

enum class LeaveReason { left, disconnected, replaced };
std::string_view to_string(LeaveReason r);

// Implemented by the signaling layer: it encodes each event once and sends
// the same bytes to every connection listed.
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
};

struct Joined {
    const Member* self = nullptr;
    std::vector<const Member*> peers; // everyone else, in join order
};

struct Counts {
    std::uint64_t joins = 0;
    std::uint64_t replacements = 0;
    std::uint64_t leaves = 0;
};

class Registry {
public:
    Registry(Notifier& notifier, std::size_t max_room_size);

    // Joins `conn` to a room, leaving its previous room first. Ids must
    // have been validated (see ids.hpp). The pointers in the result stay
    // valid until the registry is next changed.
    boost::system::result<Joined, Error> join(ConnId conn, const JoinRequest& req);
    // Leaves the connection's room, if any. False if it was in none.
    bool leave(ConnId conn, LeaveReason reason);
    // The connection a signal to `peer_id` goes to, if sender and target
    // share a room.
    std::optional<ConnId> route(ConnId from, std::string_view peer_id) const;
    const Member* member(ConnId conn) const;

    std::size_t room_count() const { return rooms_.size(); }
    std::size_t member_count() const { return where_.size(); }
    const Counts& counts() const { return counts_; }
    std::size_t max_room_size() const { return max_room_size_; }

private:
    struct Room {
        std::string id;
        std::vector<Member> members;
    };

    void remove(Room& room, std::size_t index, LeaveReason reason);

    Notifier& notifier_;
    std::size_t max_room_size_;
    std::unordered_map<std::string, Room> rooms_;
    // conn -> its room. References to unordered_map values stay valid
    // across rehashing (iterators do not).
    std::unordered_map<ConnId, Room*> where_;
    Counts counts_;
    std::vector<ConnId> scratch_; // recipients, reused across calls
};

} // namespace fc::rooms
