// The in-memory room registry: who is in which room, joins with the
// replacement of a reloaded tab's stale self, identities kept by resume
// tokens, leaves, and relay routing, for one server. It knows connections
// only by number and tells members about each other through a Notifier;
// the service sees it only as a RoomDirectory, so a shared (Redis)
// registry can take its place.
#pragma once

#include "server/rooms/room_directory.hpp"

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace fc::rooms {

class Registry final : public RoomDirectory {
public:
    explicit Registry(std::size_t max_room_size,
                      std::function<Clock::time_point()> clock = Clock::now);

    void set_notifier(Notifier* notifier) override { notifier_ = notifier; }
    // Decides at once: `done` runs before join() returns.
    void join(ConnId conn, const JoinRequest& req, JoinHandler done) override;
    bool leave(ConnId conn, LeaveReason reason) override;
    std::optional<ConnId> route(ConnId from, std::string_view peer_id) const override;
    // Every member is on this server: nothing to forward to.
    bool forward(ConnId, std::string_view, std::string_view, std::span<const std::string>) override {
        return false;
    }
    const Member* member(ConnId conn) const override;
    bool holds(std::string_view room_id, std::string_view client_id,
               std::string_view token) const override;

    std::size_t room_count() const override { return rooms_.size(); }
    std::size_t member_count() const override { return where_.size(); }
    Counts counts() const override { return counts_; }
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

    JoinResult decide(ConnId conn, const JoinRequest& req);
    void deliver(const Outbox& out) const;

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

    Notifier* notifier_ = nullptr;
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
