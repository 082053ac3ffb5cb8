// /metrics (Prometheus text exposition format 0.0.4) and /healthz, read
// from the counters each layer keeps.
#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <string>

namespace fc::engineio {
class Server;
}
namespace fc::socketio {
class Server;
}
namespace fc::signaling {
class Service;
}

namespace fc::http {

struct HttpStats {
    std::uint64_t requests = 0;
    std::uint64_t rate_limited_connections = 0;
    std::uint64_t rate_limited_ice_servers = 0;
    std::uint64_t forbidden_origins = 0;
    std::uint64_t forbidden_hosts = 0;
    std::uint64_t oversized_headers = 0;
    std::uint64_t qr_renders = 0;
    std::uint64_t qr_cache_hits = 0;
    std::uint64_t qr_rate_limited = 0;
    std::uint64_t over_budget = 0; // request bodies refused with 503: the budget was spent
};

// Requests passed to the node owning their session (forwarder.hpp).
struct ForwardStats {
    std::uint64_t polling = 0;  // long-polling GETs and POSTs forwarded
    std::uint64_t upgrades = 0; // WebSocket upgrades forwarded (then spliced)
    std::uint64_t failures = 0; // owner unreachable, silent or cut off before answering
};

// What a node of a cluster knows of the cluster (app/ fills it in from the
// cluster layer, which this layer does not see).
struct ClusterView {
    std::string node;
    bool redis_up = false;
    std::size_t nodes_alive = 0;
    std::uint64_t redis_rtt_us = 0;
    std::uint64_t signals_out = 0;
    std::uint64_t signals_in = 0;
    std::uint64_t messages_in = 0;
    std::uint64_t messages_dropped = 0;
    std::uint64_t version_gaps = 0;
    std::uint64_t resyncs = 0;
    std::uint64_t degraded_joins = 0;
};

struct Sources {
    const engineio::Server* engine = nullptr;
    const socketio::Server* io = nullptr;
    const signaling::Service* service = nullptr;
    const HttpStats* http = nullptr;
    const ForwardStats* forward = nullptr; // null: shown as zeros
    std::chrono::steady_clock::time_point started;
    // Empty on a single server.
    std::function<ClusterView()> cluster;
};

std::string prometheus_text(const Sources& s);
std::string health_json(const Sources& s);

// Resident set size of this process in bytes (from /proc/self/statm).
std::uint64_t resident_bytes();

} // namespace fc::http
