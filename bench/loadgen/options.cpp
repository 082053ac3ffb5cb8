#include "bench/loadgen/options.hpp"

#include <cstdlib>
#include <iostream>
#include <string_view>

namespace fc::loadgen {

namespace {

[[noreturn]] void usage(std::string_view why) {
    if (!why.empty()) std::cerr << "fc-loadgen: " << why << "\n\n";
    std::cerr <<
        R"(Usage: fc-loadgen SCENARIO [options]

Scenarios (each prints one JSON object on stdout):
  relay         every client signals the next member of its room, with a window
                of signals in flight: relayed signals per second at saturation
  latency       signals at a fixed total rate (open loop): send -> receipt latency
  idle          connect, join and hold: connections the server keeps, its memory
  join-storm    every client connects and joins at once: joins per second,
                failures, and every peer-joined checked
  reload-storm  members reconnect with the same clientId, round after round:
                every peer-left / peer-joined checked, none lost or duplicated
  sink          a minimal relay server, to show the generator's own ceiling

Options:
  --server HOST:PORT        server to load (default 127.0.0.1:3000); sink: where to listen
  --server2 HOST:PORT       a second node (cluster): members at odd positions of
                            each room connect there, so every signal to the next
                            member crosses nodes (room size even)
  --clients N               simulated clients (default 400)
  --room-size K             members per room (default 4)
  --polling N               of the clients, how many use long-polling (default 0)
  --sources N               spread connections over source addresses 127.0.0.1.. (default 1)
  --connect-concurrency N   connections opening at once (default 256)
  --window N                relay: signals in flight per client (default 8)
  --rate R                  latency: signals per second in all (default 1000)
  --warmup S --duration S   seconds before and of measuring (default 1, 5)
  --signals-per-client M    relay: send exactly M each, then stop (fixed workload)
  --hold S                  idle: seconds to hold (default 5)
  --settle S                join-storm: seconds to wait for missing events (default 30)
  --rounds N                reload-storm: rounds (default 5)
  --payload-bytes B         padding per signal (default 120)
  --cpu N                   pin the generator to core N
  --server-pid PID          report the RSS and CPU time of this process
)";
    std::exit(2);
}

template <class T> T number(std::string_view flag, const char* value) {
    char* end = nullptr;
    double v = std::strtod(value, &end);
    if (end == value || *end != '\0' || v < 0) usage(std::string(flag) + ": not a number: " + value);
    return static_cast<T>(v);
}

} // namespace

Options parse_options(int argc, char** argv) {
    Options o;
    if (argc < 2) usage("");
    o.scenario = argv[1];
    if (o.scenario == "--help" || o.scenario == "-h") usage("");
    for (int i = 2; i < argc; ++i) {
        std::string_view flag = argv[i];
        if (i + 1 >= argc) usage(std::string(flag) + " needs a value");
        const char* v = argv[++i];
        if (flag == "--server") {
            std::string_view s = v;
            auto colon = s.rfind(':');
            if (colon == std::string_view::npos) usage("--server: HOST:PORT");
            o.host = std::string(s.substr(0, colon));
            o.port = number<unsigned short>(flag, std::string(s.substr(colon + 1)).c_str());
        } else if (flag == "--server2") {
            std::string_view s = v;
            auto colon = s.rfind(':');
            if (colon == std::string_view::npos) usage("--server2: HOST:PORT");
            o.host2 = std::string(s.substr(0, colon));
            o.port2 = number<unsigned short>(flag, std::string(s.substr(colon + 1)).c_str());
        } else if (flag == "--clients") o.clients = number<std::size_t>(flag, v);
        else if (flag == "--room-size") o.room_size = number<std::size_t>(flag, v);
        else if (flag == "--polling") o.polling = number<std::size_t>(flag, v);
        else if (flag == "--sources") o.sources = number<std::size_t>(flag, v);
        else if (flag == "--connect-concurrency") o.connect_concurrency = number<std::size_t>(flag, v);
        else if (flag == "--window") o.window = number<std::size_t>(flag, v);
        else if (flag == "--rate") o.rate = number<double>(flag, v);
        else if (flag == "--warmup") o.warmup = number<double>(flag, v);
        else if (flag == "--duration") o.duration = number<double>(flag, v);
        else if (flag == "--signals-per-client") o.signals_per_client = number<std::size_t>(flag, v);
        else if (flag == "--hold") o.hold = number<double>(flag, v);
        else if (flag == "--settle") o.settle = number<double>(flag, v);
        else if (flag == "--rounds") o.rounds = number<std::size_t>(flag, v);
        else if (flag == "--payload-bytes") o.payload_bytes = number<std::size_t>(flag, v);
        else if (flag == "--cpu") o.cpu = number<int>(flag, v);
        else if (flag == "--server-pid") o.server_pid = number<int>(flag, v);
        else usage(std::string("unknown option ") + argv[i - 1]);
    }
    if (o.room_size < 2) usage("--room-size: at least 2");
    if (o.port2 != 0 && o.room_size % 2 != 0) usage("--server2: --room-size must be even");
    if (o.sources < 1 || o.sources > 250) usage("--sources: 1..250");
    if (o.connect_concurrency < 1) usage("--connect-concurrency: at least 1");
    return o;
}

} // namespace fc::loadgen
