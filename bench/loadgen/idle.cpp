// Idle connections: every client connects, joins its room and then only
// answers heartbeats for a while. Reports how many the server held and its
// memory before, with and per connection.
#include "bench/loadgen/fleet.hpp"
#include "bench/loadgen/scenarios.hpp"

#include <boost/asio/steady_timer.hpp>

namespace fc::loadgen {

namespace json = boost::json;

json::object run_idle(boost::asio::io_context& io, const Options& o) {
    Fleet fleet(io, o);
    auto before = sample_process(o.server_pid);
    ProcessSample joined, held;
    boost::asio::steady_timer hold(io);
    fleet.connect_and_join([&] {
        joined = sample_process(o.server_pid);
        hold.expires_after(std::chrono::milliseconds(static_cast<long>(o.hold * 1000)));
        hold.async_wait([&](boost::system::error_code) {
            held = sample_process(o.server_pid);
            io.stop();
        });
    });
    io.run();
    std::size_t still_connected = 0;
    for (auto& c : fleet.clients)
        if (c && c->connected()) ++still_connected;
    json::object r = fleet.report();
    r["hold_s"] = o.hold;
    r["still_connected"] = still_connected;
    if (o.server_pid > 0) {
        r["server_rss_before_bytes"] = before.rss_bytes;
        r["server_rss_joined_bytes"] = joined.rss_bytes;
        r["server_rss_held_bytes"] = held.rss_bytes;
        auto peak = std::max(joined.rss_bytes, held.rss_bytes);
        r["server_rss_per_connection_bytes"] =
            still_connected ? static_cast<double>(peak - before.rss_bytes) / static_cast<double>(still_connected) : 0.0;
        r["server_cpu_while_held"] =
            o.hold > 0 ? (held.cpu_seconds - joined.cpu_seconds) / o.hold : 0.0;
    }
    return r;
}

} // namespace fc::loadgen
