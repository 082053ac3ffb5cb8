// The Socket.IO server: namespaces and the per-session Client that speaks
// Socket.IO over an Engine.IO session.
#pragma once

#include "server/socketio/namespace_handler.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace fc::engineio {
class Session;
}

namespace fc::socketio {

struct Settings {
    // A session that connects to no namespace within this time is closed,
    // so bare Engine.IO connections cannot pile up (reference default 45 s).
    std::chrono::milliseconds connect_timeout{45000};
    // A BINARY_EVENT announces its attachments and they follow as separate
    // messages: what a client may have the server hold for them, all
    // together (the engine's maxPayload, so a packet with attachments is
    // no bigger than one without), and how long they may take to arrive.
    std::size_t max_attachment_bytes = 1'000'000;
    std::chrono::milliseconds attachment_timeout{10000};
};

struct Stats {
    std::uint64_t connects = 0;
    std::uint64_t refused_namespaces = 0;
    std::uint64_t decode_errors = 0;
    std::uint64_t attachment_timeouts = 0;
    std::uint64_t connected = 0; // sockets currently connected
};

class Server {
public:
    explicit Server(Settings settings) : settings_(settings) {}

    const Settings& settings() const { return settings_; }
    Stats& stats() { return stats_; }
    const Stats& stats() const { return stats_; }

    // The handler must outlive the server.
    void add_namespace(std::string name, NamespaceHandler& handler);
    NamespaceHandler* find_namespace(std::string_view name) const;

    // Installs a Client on a new Engine.IO session (the engine's
    // connection handler).
    void on_connection(engineio::Session& session);

    std::uint64_t next_serial() { return ++serial_; }

private:
    Settings settings_;
    Stats stats_;
    std::map<std::string, NamespaceHandler*, std::less<>> namespaces_;
    std::uint64_t serial_ = 0;
};

} // namespace fc::socketio
