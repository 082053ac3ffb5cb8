// The rooms contract on the default namespace: join-room, signal and
// leave-room from clients; peer-joined, peer-left and relayed signals to
// them. Glues the Socket.IO layer to the room registry.
#pragma once

#include "server/rooms/rate_limiter.hpp"
#include "server/rooms/registry.hpp"
#include "server/socketio/namespace_handler.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <unordered_map>

namespace fc::signaling {

struct Limits {
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
    Service(Limits limits, IceProvider ice);

    void on_connect(socketio::Socket& socket, std::string_view auth) override;
    void on_event(socketio::Socket& socket, const socketio::Event& event) override;
    void on_disconnect(socketio::Socket& socket, std::string_view reason) override;

    void peer_joined(std::span<const rooms::ConnId> to, const rooms::Member& who) override;
    void peer_left(std::span<const rooms::ConnId> to, std::string_view peer_id,
                   rooms::LeaveReason reason) override;
    void replaced(rooms::ConnId conn) override;

    const rooms::Registry& registry() const { return registry_; }
    const Stats& stats() const { return stats_; }

private:
    struct Conn {
        socketio::Socket* socket;
        rooms::TokenBucket bucket;
    };

    void join(socketio::Socket& socket, const socketio::Event& event);
    void signal(socketio::Socket& socket, const socketio::Event& event);
    void leave(socketio::Socket& socket, const socketio::Event& event);
    void fail(socketio::Socket& socket, const socketio::Event& event, rooms::Error e);
    void broadcast(std::span<const rooms::ConnId> to, const std::string& array_json);

    Limits limits_;
    IceProvider ice_;
    rooms::Registry registry_;
    std::unordered_map<rooms::ConnId, Conn> conns_;
    Stats stats_;
};

} // namespace fc::signaling
