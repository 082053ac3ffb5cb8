// The whole server wired together on one io_context: Engine.IO, Socket.IO,
// the rooms service, the HTTP router and listener; start-up banner and
// clean shutdown on SIGINT/SIGTERM.
#pragma once

#include "server/app/config.hpp"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string_view>

namespace fc::engineio {
class Server;
}

namespace fc::app {

// What a server serves in place of the rooms contract: the protocol-test
// binary's echo endpoints (server/protocol_test/). The production binary
// has none.
class Mode {
public:
    virtual ~Mode() = default;
    // For the start-up log.
    virtual std::string_view name() const = 0;
    // Called once while the server is wired: installs the Socket.IO
    // namespaces served instead of the rooms service (the mode keeps
    // them), and returns a bare Engine.IO server to answer at /engine.io/
    // (or null), which the Application owns: it must go before the
    // io_context its timers run on.
    virtual std::unique_ptr<engineio::Server> wire(socketio::Server& io,
                                                   boost::asio::io_context& ioc,
                                                   const Config& config) = 0;
};

class Application {
public:
    // `mode`, if any, outlives the Application.
    explicit Application(Config config, Mode* mode = nullptr);
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
