// The whole server wired together on one io_context: Engine.IO, Socket.IO,
// the rooms service, the HTTP router and listener; start-up banner and
// clean shutdown on SIGINT/SIGTERM.
#pragma once

#include "server/app/config.hpp"

#include <memory>

namespace fc::app {

class Application {
public:
    explicit Application(Config config);
    ~Application();
    // Binds, prints where phones can reach the server, and runs until a
    // signal arrives. Throws on start-up failure (bad TLS files, port busy).
    void run();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The URLs at which the server can be reached: every non-loopback IPv4
// address of this machine when listening on all interfaces.
std::vector<std::string> reachable_urls(const std::string& host, std::uint16_t port, bool tls);

} // namespace fc::app
