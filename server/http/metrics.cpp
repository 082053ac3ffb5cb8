#include "server/http/metrics.hpp"

#include "server/engineio/server.hpp"
#include "server/rooms/errors.hpp"
#include "server/signaling/service.hpp"
#include "server/socketio/server.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <unistd.h>

namespace fc::http {

namespace {
void metric(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out.push_back(' ');
    out += help;
    out += "\n# TYPE ";
    out += name;
    out.push_back(' ');
    out += type;
    out.push_back('\n');
}

void sample(std::string& out, std::string_view name, std::uint64_t value,
            std::string_view labels = {}) {
    out += name;
    if (!labels.empty()) {
        out.push_back('{');
        out += labels;
        out.push_back('}');
    }
    out.push_back(' ');
    out += std::to_string(value);
    out.push_back('\n');
}

void sample_double(std::string& out, std::string_view name, double value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", value);
    out += name;
    out.push_back(' ');
    out += buf;
    out.push_back('\n');
}

double uptime_seconds(const Sources& s) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started).count();
}
} // namespace

std::uint64_t resident_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long size = 0, resident = 0;
    const int n = std::fscanf(f, "%lu %lu", &size, &resident);
    std::fclose(f);
    return n == 2 ? resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

std::string prometheus_text(const Sources& s) {
    using engineio::TransportKind;
    const auto& es = s.engine->stats();
    const auto& ios = s.io->stats();
    const auto& reg = s.service->registry();
    const auto& ss = s.service->stats();
    std::string out;
    out.reserve(4096);

    metric(out, "fc_connections", "gauge", "Open Engine.IO sessions by transport.");
    sample(out, "fc_connections", s.engine->session_count(TransportKind::websocket),
           R"(transport="websocket")");
    sample(out, "fc_connections", s.engine->session_count(TransportKind::polling),
           R"(transport="polling")");
    metric(out, "fc_sockets", "gauge", "Connected Socket.IO sockets.");
    sample(out, "fc_sockets", ios.connected);
    metric(out, "fc_rooms", "gauge", "Rooms with at least one member.");
    sample(out, "fc_rooms", reg.room_count());
    metric(out, "fc_members", "gauge", "Members in all rooms.");
    sample(out, "fc_members", reg.member_count());
    metric(out, "fc_handshakes_total", "counter", "Engine.IO sessions opened.");
    sample(out, "fc_handshakes_total", es.handshakes);
    metric(out, "fc_upgrades_total", "counter", "Polling sessions upgraded to WebSocket.");
    sample(out, "fc_upgrades_total", es.upgrades);
    metric(out, "fc_joins_total", "counter", "Successful join-room requests.");
    sample(out, "fc_joins_total", reg.counts().joins);
    metric(out, "fc_replacements_total", "counter",
           "Members replaced by a newer connection with the same clientId.");
    sample(out, "fc_replacements_total", reg.counts().replacements);
    metric(out, "fc_relays_total", "counter", "Signals relayed.");
    sample(out, "fc_relays_total", ss.relays);
    metric(out, "fc_relay_bytes_total", "counter", "Bytes of relayed signal events.");
    sample(out, "fc_relay_bytes_total", ss.relay_bytes);
    metric(out, "fc_errors_total", "counter", "Error acknowledgements by code.");
    for (auto e : rooms::kAllErrors)
        sample(out, "fc_errors_total", ss.errors[static_cast<std::size_t>(e)],
               "code=\"" + std::string(rooms::code(e)) + "\"");
    metric(out, "fc_protocol_errors_total", "counter",
           "Connections closed for malformed Socket.IO packets.");
    sample(out, "fc_protocol_errors_total", ios.decode_errors);
    metric(out, "fc_bad_requests_total", "counter", "Engine.IO requests refused with HTTP 400.");
    sample(out, "fc_bad_requests_total", es.bad_requests);
    metric(out, "fc_refused_namespaces_total", "counter", "CONNECT to unknown namespaces.");
    sample(out, "fc_refused_namespaces_total", ios.refused_namespaces);
    metric(out, "fc_rate_limited_total", "counter", "Requests refused by rate limits.");
    sample(out, "fc_rate_limited_total", ss.events_rate_limited, R"(scope="events")");
    sample(out, "fc_rate_limited_total", s.http->rate_limited_connections,
           R"(scope="connections")");
    sample(out, "fc_rate_limited_total", s.http->rate_limited_ice_servers,
           R"(scope="ice-servers")");
    metric(out, "fc_forbidden_requests_total", "counter",
           "Signaling requests refused with HTTP 403, by reason.");
    sample(out, "fc_forbidden_requests_total", s.http->forbidden_origins, R"(reason="origin")");
    sample(out, "fc_forbidden_requests_total", s.http->forbidden_hosts, R"(reason="host")");
    metric(out, "fc_oversized_headers_total", "counter",
           "Requests refused with HTTP 431 (headers over 16 KiB).");
    sample(out, "fc_oversized_headers_total", s.http->oversized_headers);
    metric(out, "fc_qr_renders_total", "counter", "QR code SVGs rendered (cache misses).");
    sample(out, "fc_qr_renders_total", s.http->qr_renders);
    metric(out, "fc_qr_cache_hits_total", "counter", "QR code SVGs served from the cache.");
    sample(out, "fc_qr_cache_hits_total", s.http->qr_cache_hits);
    metric(out, "fc_qr_rate_limited_total", "counter",
           "QR code renders refused with HTTP 429 (per-address limit).");
    sample(out, "fc_qr_rate_limited_total", s.http->qr_rate_limited);
    metric(out, "fc_bytes_received_total", "counter", "Engine.IO payload bytes received.");
    sample(out, "fc_bytes_received_total", es.bytes_in);
    metric(out, "fc_bytes_sent_total", "counter", "Engine.IO payload bytes sent.");
    sample(out, "fc_bytes_sent_total", es.bytes_out);
    metric(out, "fc_slow_consumers_dropped_total", "counter",
           "Clients dropped because their send queue overflowed.");
    sample(out, "fc_slow_consumers_dropped_total", es.slow_consumers);
    metric(out, "fc_memory_held_bytes", "gauge",
           "Bytes held for clients (queued, being written, buffered input), all and input alone.");
    sample(out, "fc_memory_held_bytes", s.engine->budget().used(), R"(kind="all")");
    sample(out, "fc_memory_held_bytes", s.engine->budget().input_used(), R"(kind="input")");
    metric(out, "fc_memory_budget_bytes", "gauge", "What may be held for all clients together.");
    sample(out, "fc_memory_budget_bytes", s.engine->budget().limit());
    metric(out, "fc_memory_budget_refusals_total", "counter",
           "Refusals because the memory budget was spent: a client dropped, a request body "
           "answered 503.");
    sample(out, "fc_memory_budget_refusals_total", es.over_budget, R"(what="client")");
    sample(out, "fc_memory_budget_refusals_total", s.http->over_budget, R"(what="request-body")");
    metric(out, "fc_memory_limited_total", "counter",
           "Clients closed because their buffered input did not fit their bound or the budget.");
    sample(out, "fc_memory_limited_total", es.memory_limited);
    metric(out, "fc_write_timeouts_total", "counter",
           "WebSocket connections cut because a write was stuck past --write-timeout.");
    sample(out, "fc_write_timeouts_total", es.write_timeouts);
    metric(out, "fc_input_timeouts_total", "counter",
           "Clients closed because buffered input completed no message within --write-timeout.");
    sample(out, "fc_input_timeouts_total", es.input_timeouts);
    metric(out, "fc_attachment_timeouts_total", "counter",
           "Clients closed because announced attachments did not arrive in time.");
    sample(out, "fc_attachment_timeouts_total", ios.attachment_timeouts);
    const ForwardStats fs = s.forward ? *s.forward : ForwardStats{};
    metric(out, "fc_forwarded_requests_total", "counter",
           "Requests for sessions of another node passed to that node, by kind.");
    sample(out, "fc_forwarded_requests_total", fs.polling, R"(kind="polling")");
    sample(out, "fc_forwarded_requests_total", fs.upgrades, R"(kind="upgrade")");
    metric(out, "fc_forward_failures_total", "counter",
           "Forwarded requests whose owner could not be reached or broke off before answering "
           "(the client was told its session is unknown).");
    sample(out, "fc_forward_failures_total", fs.failures);
    if (s.cluster) {
        const ClusterView c = s.cluster();
        metric(out, "fc_cluster_redis_up", "gauge", "1 while this node reaches Redis");
        sample(out, "fc_cluster_redis_up", c.redis_up ? 1 : 0);
        metric(out, "fc_cluster_nodes_alive", "gauge", "Nodes of the cluster with a fresh heartbeat");
        sample(out, "fc_cluster_nodes_alive", c.nodes_alive);
        metric(out, "fc_cluster_redis_rtt_seconds", "gauge", "Round trip of the last PING to Redis");
        sample_double(out, "fc_cluster_redis_rtt_seconds", static_cast<double>(c.redis_rtt_us) / 1e6);
        metric(out, "fc_cluster_signals_out_total", "counter", "Signals relayed to members on other nodes");
        sample(out, "fc_cluster_signals_out_total", c.signals_out);
        metric(out, "fc_cluster_signals_in_total", "counter", "Signals from other nodes delivered here");
        sample(out, "fc_cluster_signals_in_total", c.signals_in);
        metric(out, "fc_cluster_messages_total", "counter", "Messages from other nodes through Redis");
        sample(out, "fc_cluster_messages_total", c.messages_in);
        metric(out, "fc_cluster_messages_dropped_total", "counter",
               "Malformed messages from Redis, dropped (another node's bug)");
        sample(out, "fc_cluster_messages_dropped_total", c.messages_dropped);
        metric(out, "fc_cluster_version_gaps_total", "counter", "Room changes that never reached this node");
        sample(out, "fc_cluster_version_gaps_total", c.version_gaps);
        metric(out, "fc_cluster_resyncs_total", "counter", "Times this node put its members back into Redis");
        sample(out, "fc_cluster_resyncs_total", c.resyncs);
        metric(out, "fc_cluster_degraded_joins_total", "counter", "Joins decided without Redis");
        sample(out, "fc_cluster_degraded_joins_total", c.degraded_joins);
    }
    metric(out, "fc_http_requests_total", "counter", "HTTP requests served.");
    sample(out, "fc_http_requests_total", s.http->requests);
    metric(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    sample(out, "process_resident_memory_bytes", resident_bytes());
    metric(out, "process_uptime_seconds", "gauge", "Seconds since the server started.");
    sample(out, "process_uptime_seconds", static_cast<std::uint64_t>(uptime_seconds(s)));
    return out;
}

std::string health_json(const Sources& s) {
    boost::json::object o;
    o["status"] = "ok";
    o["version"] = FC_VERSION;
    o["uptime"] = static_cast<std::uint64_t>(uptime_seconds(s)); // whole seconds
    o["rooms"] = s.service->registry().room_count();
    o["members"] = s.service->registry().member_count();
    o["connections"] = s.engine->session_count();
    if (s.cluster) {
        // Without Redis a node still serves the rooms it holds: degraded,
        // not down (a balancer keeps sending it clients).
        const ClusterView c = s.cluster();
        o["node"] = c.node;
        o["redis"] = c.redis_up ? "up" : "down";
        o["nodes"] = c.nodes_alive;
        if (!c.redis_up)
            o["status"] = "degraded";
    }
    return boost::json::serialize(o);
}

} // namespace fc::http
