// fc-loadgen: simulated Socket.IO clients against a signaling server (ours
// or the Node.js reference), one scenario per run, figures as JSON on stdout.
#include "bench/loadgen/options.hpp"
#include "bench/loadgen/scenarios.hpp"

#include <boost/json/serialize.hpp>

#include <iostream>
#include <sched.h>
#include <sys/resource.h>

using namespace fc::loadgen;

namespace {

// As many descriptors as the hard limit allows: one per WebSocket client,
// two per polling client.
rlim_t raise_fd_limit() {
    rlimit l{};
    ::getrlimit(RLIMIT_NOFILE, &l);
    l.rlim_cur = l.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &l);
    return l.rlim_cur;
}

bool pin(int cpu) {
    if (cpu < 0) return false;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return ::sched_setaffinity(0, sizeof set, &set) == 0;
}

} // namespace

int main(int argc, char** argv) {
    auto o = parse_options(argc, argv);
    auto fds = raise_fd_limit();
    bool pinned = pin(o.cpu);
    boost::asio::io_context io(1);
    try {
        if (o.scenario == "sink")
            run_sink(o); // until a signal ends the process
        auto needed = o.clients + o.polling + 64;
        if (needed > fds) {
            std::cerr << "fc-loadgen: " << o.clients << " clients need " << needed
                      << " file descriptors; the limit here is " << fds << "\n";
            return 2;
        }
        boost::json::object r;
        if (o.scenario == "relay") r = run_relay(io, o);
        else if (o.scenario == "latency") r = run_latency(io, o);
        else if (o.scenario == "idle") r = run_idle(io, o);
        else if (o.scenario == "join-storm") r = run_join_storm(io, o);
        else if (o.scenario == "reload-storm") r = run_reload_storm(io, o);
        else {
            std::cerr << "fc-loadgen: unknown scenario " << o.scenario << " (see --help)\n";
            return 2;
        }
        r["scenario"] = o.scenario;
        r["generator_pinned_cpu"] = pinned ? o.cpu : -1;
        r["sources"] = o.sources;
        std::cout << boost::json::serialize(r) << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "fc-loadgen: " << e.what() << "\n";
        return 1;
    }
}
