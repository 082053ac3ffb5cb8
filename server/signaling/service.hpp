// The rooms contract on the default namespace: join-room, signal and
// leave-room from clients; peer-joined, peer-left and relayed signals to
// them. Glues the Socket.IO layer to a rooms::RoomDirectory, which it is
// given and does not own.
#pragma once

#include "server/rooms/rate_limiter.hpp"
#include "server/rooms/room_directory.hpp"
#include "server/socketio/namespace_handler.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>

namespace fc::signaling {

struct Limits {
    // Enforced by the rooms directory; app/ makes the directory with it.
    std::size_t max_room_size = 64;
    std::size_t max_signal_bytes = 64 * 1024;
    // Per connection. A newcomer to a full room of 64 sends 63 offers and a
    // few hundred candidates within a second, so the burst allows that.
    rooms::RateLimit events{1000, 200};
};

struct Stats {
    std::uint64_t relays = 0;
    std::uint64_t relay_bytes = 0;
    std::uint64_t events_rate_limited = 0;
    std::array<std::uint64_t, std::size(rooms::kAllErrors)> errors{};
};

// ICE servers for a join acknowledgement, given the joiner's clientId
// (TURN credentials are minted per client).
using IceProvider = std::function<boost::json::array(std::string_view client_id)>;

class Service final : public socketio::NamespaceHandler, public rooms::Notifier {
public:
    // Takes `rooms`' notices from here until it is destroyed; `rooms` must
    // outlive it.
    Service(rooms::RoomDirectory& rooms, Limits limits, IceProvider ice);
    ~Service() override;
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    void on_connect(socketio::Socket& socket, std::string_view auth) override;
    void on_event(socketio::Socket& socket, const socketio::Event& event) override;
    void on_disconnect(socketio::Socket& socket, std::string_view reason) override;

    void peer_joined(std::span<const rooms::ConnId> to, const rooms::Member& who) override;
    void peer_left(std::span<const rooms::ConnId> to, std::string_view peer_id,
                   rooms::LeaveReason reason) override;
    void replaced(rooms::ConnId conn) override;
    void relayed(rooms::ConnId to, std::string_view event_json,
                 std::span<const std::string> attachments) override;

    const rooms::RoomDirectory& registry() const { return rooms_; }
    const Stats& stats() const { return stats_; }

private:
    struct Conn {
        socketio::Socket* socket;
        rooms::TokenBucket bucket;
    };

    void join(socketio::Socket& socket, const socketio::Event& event);
    void answer_join(rooms::ConnId conn, std::optional<std::uint64_t> ack_id,
                     std::string_view room_id, rooms::RoomDirectory::JoinResult joined);
    void signal(socketio::Socket& socket, const socketio::Event& event);
    void leave(socketio::Socket& socket, const socketio::Event& event);
    void fail(socketio::Socket& socket, const socketio::Event& event, rooms::Error e);
    void fail(socketio::Socket& socket, std::optional<std::uint64_t> ack_id, rooms::Error e);
    void broadcast(std::span<const rooms::ConnId> to, const std::string& array_json);

    rooms::RoomDirectory& rooms_;
    Limits limits_;
    IceProvider ice_;
    std::unordered_map<rooms::ConnId, Conn> conns_;
    Stats stats_;
};

} // namespace fc::signaling
