// Relay throughput (closed loop: a window of signals in flight per client)
// and relay latency (open loop: a fixed total rate). Every client signals
// the next member of its room; the payload carries the sender's index and
// the send time, so receipt measures latency on the generator's own clock.
#include "bench/loadgen/fleet.hpp"
#include "bench/loadgen/scenarios.hpp"

#include <boost/asio/steady_timer.hpp>

#include <charconv>
#include <sys/resource.h>

namespace fc::loadgen {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

double self_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Reads `"key":<integer>` at or after `from` in `text`; -1 when absent.
std::int64_t read_field(std::string_view text, std::string_view key, std::size_t& from) {
    auto at = text.find(key, from);
    if (at == std::string_view::npos) return -1;
    at += key.size();
    std::int64_t v = -1;
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + text.size(), v);
    if (ec != std::errc()) return -1;
    from = static_cast<std::size_t>(end - text.data());
    return v;
}

// Who signals whom, what is in flight, and what arrived.
struct Traffic {
    Traffic(boost::asio::io_context& io, const Options& o) : io(io), o(o), fleet(io, o), timer(io) {
        pad.assign(o.payload_bytes, 'x');
        inflight.assign(o.clients, 0);
        sent_by.assign(o.clients, 0);
        fleet.on_signal_hook = [this](Client&, std::string_view text) { on_signal(text); };
    }

    // The next joined member of each client's room, or none.
    void pick_targets() {
        target.assign(o.clients, SIZE_MAX);
        for (std::size_t r = 0; r < fleet.room_count(); ++r) {
            auto m = fleet.members(r);
            std::vector<std::size_t> live;
            for (auto i : m)
                if (fleet.clients[i] && !fleet.clients[i]->peer_id.empty()) live.push_back(i);
            if (live.size() < 2) continue;
            for (std::size_t k = 0; k < live.size(); ++k) target[live[k]] = live[(k + 1) % live.size()];
        }
        for (std::size_t i = 0; i < o.clients; ++i)
            if (target[i] != SIZE_MAX) senders.push_back(i);
    }

    void send(std::size_t i) {
        auto& c = *fleet.clients[i];
        if (!c.connected()) return;
        std::string msg;
        msg.reserve(96 + pad.size());
        msg += "\"signal\",{\"to\":\"";
        msg += fleet.clients[target[i]]->peer_id;
        msg += "\",\"type\":\"bench\",\"payload\":{\"s\":";
        msg += std::to_string(i);
        msg += ",\"t\":";
        msg += std::to_string(now_ns());
        msg += ",\"pad\":\"";
        msg += pad;
        msg += "\"}}";
        c.emit(msg);
        ++inflight[i];
        ++sent_by[i];
        ++sent;
    }

    void on_signal(std::string_view text) {
        auto now = now_ns();
        std::size_t from = text.find("\"payload\":");
        if (from == std::string_view::npos) return bad();
        auto s = read_field(text, "\"s\":", from);
        auto t = read_field(text, "\"t\":", from);
        if (s < 0 || t < 0 || static_cast<std::size_t>(s) >= o.clients) return bad();
        auto sender = static_cast<std::size_t>(s);
        if (inflight[sender] > 0) --inflight[sender];
        ++received;
        if (now >= measure_from && now < measure_to) {
            ++measured;
            latency.add(now - t);
        }
        if (on_receipt) on_receipt(sender);
    }

    void bad() { fleet.failure("undecodable relayed signal"); }

    std::size_t outstanding() const { return sent - received; }

    // Runs `then` once every signal has arrived or `limit` has passed.
    void drain(std::chrono::milliseconds limit, std::function<void()> then) {
        drain_deadline = Clock::now() + limit;
        drain_then = std::move(then);
        drain_check();
    }
    void drain_check() {
        if (outstanding() == 0 || Clock::now() >= drain_deadline) {
            auto then = std::move(drain_then);
            drain_then = nullptr;
            if (then) then();
            return;
        }
        timer.expires_after(10ms);
        timer.async_wait([this](boost::system::error_code) { drain_check(); });
    }

    // Samples of the server and of the generator at the window's edges.
    void window_start() {
        server0 = sample_process(o.server_pid);
        self0 = self_cpu_seconds();
    }
    void window_end() {
        server1 = sample_process(o.server_pid);
        self1 = self_cpu_seconds();
    }

    json::object report(double seconds) {
        json::object r = fleet.report();
        r["window_per_client"] = o.window;
        r["payload_bytes"] = o.payload_bytes;
        r["senders"] = senders.size();
        r["sent"] = sent;
        r["received"] = received;
        r["lost"] = sent - received;
        r["measured_s"] = seconds;
        r["relayed_per_s"] = seconds > 0 ? static_cast<double>(measured) / seconds : 0.0;
        r["latency"] = latency.summary();
        r["generator_cpu"] = seconds > 0 ? (self1 - self0) / seconds : 0.0;
        if (o.server_pid > 0) {
            r["server_cpu"] = seconds > 0 ? (server1.cpu_seconds - server0.cpu_seconds) / seconds : 0.0;
            r["server_system_cpu"] =
                seconds > 0 ? (server1.system_cpu_seconds - server0.system_cpu_seconds) / seconds : 0.0;
            r["server_rss_bytes"] = server1.rss_bytes;
        }
        return r;
    }

    boost::asio::io_context& io;
    const Options& o;
    Fleet fleet;
    boost::asio::steady_timer timer;
    std::string pad;
    std::vector<std::size_t> target;
    std::vector<std::size_t> senders;
    std::vector<std::size_t> inflight;
    std::vector<std::size_t> sent_by;
    std::size_t sent = 0, received = 0, measured = 0;
    std::int64_t measure_from = INT64_MAX, measure_to = INT64_MAX;
    LatencyRecorder latency;
    std::function<void(std::size_t sender)> on_receipt;
    Clock::time_point drain_deadline;
    std::function<void()> drain_then;
    ProcessSample server0, server1;
    double self0 = 0, self1 = 0;
};

} // namespace

json::object run_relay(boost::asio::io_context& io, const Options& o) {
    Traffic t(io, o);
    bool sending = false;
    bool fixed = o.signals_per_client > 0;
    double seconds = 0;
    std::int64_t fixed_start = 0;
    boost::asio::steady_timer phase(io);

    auto finish = [&] {
        t.drain(5s, [&] {
            if (fixed) {
                t.window_end();
                seconds = static_cast<double>(now_ns() - fixed_start) / 1e9;
                t.measured = t.received;
            }
            io.stop();
        });
    };
    t.on_receipt = [&](std::size_t s) {
        if (!sending) return;
        if (!fixed) return t.send(s);
        if (t.sent_by[s] < o.signals_per_client) t.send(s);
        else if (t.sent == t.received && t.sent == t.senders.size() * o.signals_per_client) {
            sending = false;
            finish();
        }
    };
    t.fleet.connect_and_join([&] {
        t.pick_targets();
        sending = true;
        if (fixed) {
            fixed_start = now_ns();
            t.window_start();
            for (auto i : t.senders)
                for (std::size_t k = 0; k < std::min(o.window, o.signals_per_client); ++k) t.send(i);
            if (t.senders.empty()) finish();
            phase.expires_after(120s); // a bound, should the server lose signals
            phase.async_wait([&](boost::system::error_code ec) {
                if (!ec && sending) { sending = false; finish(); }
            });
            return;
        }
        for (auto i : t.senders)
            for (std::size_t k = 0; k < o.window; ++k) t.send(i);
        auto start = now_ns();
        t.measure_from = start + static_cast<std::int64_t>(o.warmup * 1e9);
        t.measure_to = t.measure_from + static_cast<std::int64_t>(o.duration * 1e9);
        phase.expires_after(std::chrono::nanoseconds(t.measure_from - start));
        phase.async_wait([&](boost::system::error_code) {
            t.window_start();
            phase.expires_after(std::chrono::nanoseconds(t.measure_to - t.measure_from));
            phase.async_wait([&](boost::system::error_code) {
                t.window_end();
                seconds = o.duration;
                sending = false;
                finish();
            });
        });
    });
    io.run();
    auto r = t.report(seconds);
    r["mode"] = fixed ? "fixed" : "saturation";
    return r;
}

json::object run_latency(boost::asio::io_context& io, const Options& o) {
    Traffic t(io, o);
    boost::asio::steady_timer tick(io);
    bool sending = false;
    std::size_t next = 0;
    std::size_t throttled = 0;
    std::int64_t start = 0;
    // Never more than a second of traffic (or 1000 signals) outstanding:
    // past that the server is not keeping up at this rate.
    const auto cap = static_cast<std::size_t>(std::max(1000.0, o.rate));

    std::function<void()> on_tick = [&] {
        if (!sending) return;
        auto now = now_ns();
        auto due = static_cast<std::size_t>(o.rate * static_cast<double>(now - start) / 1e9);
        while (t.sent < due && !t.senders.empty()) {
            if (t.outstanding() >= cap) {
                ++throttled;
                break;
            }
            t.send(t.senders[next++ % t.senders.size()]);
        }
        // Paced every 100 us, so signals leave as a steady stream rather
        // than in millisecond bursts that would queue behind each other (in
        // the generator as much as in the server) and blur both tails.
        tick.expires_after(100us);
        tick.async_wait([&](boost::system::error_code ec) {
            if (!ec) on_tick();
        });
    };
    t.fleet.connect_and_join([&] {
        t.pick_targets();
        sending = true;
        start = now_ns();
        t.measure_from = start + static_cast<std::int64_t>(o.warmup * 1e9);
        t.measure_to = t.measure_from + static_cast<std::int64_t>(o.duration * 1e9);
        on_tick();
        auto phase = std::make_shared<boost::asio::steady_timer>(io);
        phase->expires_after(std::chrono::nanoseconds(t.measure_from - start));
        phase->async_wait([&, phase](boost::system::error_code) {
            t.window_start();
            phase->expires_after(std::chrono::nanoseconds(t.measure_to - t.measure_from));
            phase->async_wait([&, phase](boost::system::error_code) {
                t.window_end();
                sending = false;
                tick.cancel();
                t.drain(5s, [&] { io.stop(); });
            });
        });
    });
    io.run();
    auto r = t.report(o.duration);
    r["offered_per_s"] = o.rate;
    r["throttled_ticks"] = throttled;
    r["kept_up"] = throttled == 0 && r["relayed_per_s"].as_double() >= 0.95 * o.rate;
    return r;
}

} // namespace fc::loadgen
