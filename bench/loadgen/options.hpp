// The load generator's command line.
#pragma once

#include <cstddef>
#include <string>

namespace fc::loadgen {

struct Options {
    std::string scenario;                 // relay, latency, idle, join-storm, reload-storm, sink
    std::string host = "127.0.0.1";
    unsigned short port = 3000;
    std::string host2;                    // a second node: odd room positions connect there
    unsigned short port2 = 0;             // 0: no second node
    std::size_t clients = 400;
    std::size_t room_size = 4;
    std::size_t polling = 0;              // clients that use long-polling instead of WebSocket
    std::size_t sources = 1;              // source addresses 127.0.0.1, 127.0.0.2, ...
    std::size_t connect_concurrency = 256;
    std::size_t window = 8;               // relay: signals in flight per client
    double rate = 1000;                   // latency: signals per second, all clients together
    double warmup = 1;                    // seconds before measuring
    double duration = 5;                  // seconds measured
    std::size_t signals_per_client = 0;   // relay: a fixed workload instead of a duration
    double hold = 5;                      // idle: seconds to hold the connections
    std::size_t rounds = 5;               // reload-storm
    double settle = 30;                   // join-storm: seconds to wait for missing events
    std::size_t payload_bytes = 120;      // padding in each signal (an ICE candidate is ~100-200 B)
    int cpu = -1;                         // pin to this core
    int server_pid = 0;                   // read RSS and CPU time of this process
};

// Parses argv; on a bad command line prints why and exits 2.
Options parse_options(int argc, char** argv);

} // namespace fc::loadgen
