// Every setting of festival-chat-server, from flags and FC_* environment
// variables (flags win), with defaults that serve a festival LAN as is.
#pragma once

#include "server/base/log.hpp"
#include "server/engineio/settings.hpp"
#include "server/http/ice_servers.hpp"
#include "server/rooms/rate_limiter.hpp"
#include "server/signaling/service.hpp"
#include "server/socketio/server.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace fc::app {

struct Config {
    std::string host = "0.0.0.0"; // every interface: phones on the LAN reach it
    std::uint16_t port = 3000;
    std::string web_root = "web/dist";
    engineio::Settings engine;
    socketio::Settings socketio;
    signaling::Limits limits;
    rooms::RateLimit connections_per_ip{1000, 200};
    std::vector<std::string> cors_origins;
    // Host names the signaling endpoints answer besides IP literals,
    // localhost and the host of public_url (DNS rebinding guard); "*": any.
    std::vector<std::string> allowed_hosts;
    http::IceConfig ice;
    std::string tls_cert;
    std::string tls_key;
    std::string public_url; // shown and QR-encoded at start; default: first LAN address
    bool print_qr = true;
    log::Level log_level = log::Level::info;

    // The cluster (docs/cluster.md). No Redis: one process, rooms in memory.
    std::string redis; // redis://host:port[/db]
    // Processes on this machine sharing the port (SO_REUSEPORT); needs redis.
    unsigned workers = 1;
    // Where other nodes pass this node the requests of its sessions: the
    // address they reach it at (default: the first LAN address, or the
    // listening address when that is one) and the port (0: a free one).
    std::string cluster_host;
    std::uint16_t cluster_port = 0;
    // How long members of a dead node keep their places for their clients
    // to come back through another node (0: ping interval + ping timeout,
    // the time a client takes to notice).
    std::chrono::milliseconds node_grace{0};
    // Set by --workers for its processes, not by options: bind the port
    // with SO_REUSEPORT; which worker this is (-1: not a worker).
    bool reuse_port = false;
    int worker_index = -1;
};

enum class Action { run, help, version };

struct Parsed {
    Action action = Action::run;
    Config config;
};

using EnvLookup = std::function<const char*(const char*)>;

// Reads flags (--name value or --name=value) over FC_* variables over the
// defaults. On a bad value: a message naming the setting and the problem.
std::variant<Parsed, std::string> parse_config(int argc, const char* const* argv,
                                               const EnvLookup& env);

std::string help_text();

} // namespace fc::app
