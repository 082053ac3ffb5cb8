// What the official Socket.IO / Engine.IO protocol suites assume of a
// server (docs/protocol-tests.md), as an app::Mode: the echo namespaces
// "/" and "/custom" instead of the rooms contract, a bare Engine.IO echo
// endpoint at /engine.io/, and the suites' timings.
#pragma once

#include "server/app/application.hpp"
#include "server/app/config.hpp"
#include "server/protocol_test/echo_namespace.hpp"

namespace fc::protocol_test {

// Exactly what the suites assert: ping interval 300 ms, ping timeout
// 200 ms, maxPayload 1000000, a 1 s Socket.IO connect timeout.
void apply_suite_settings(app::Config& config);

class SuiteMode final : public app::Mode {
public:
    std::string_view name() const override { return "protocol-test"; }
    std::unique_ptr<engineio::Server> wire(socketio::Server& io, boost::asio::io_context& ioc,
                                           const app::Config& config) override;

private:
    EchoNamespace main_{true};
    EchoNamespace custom_{false};
};

} // namespace fc::protocol_test
