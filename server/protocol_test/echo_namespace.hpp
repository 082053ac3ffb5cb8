// The Socket.IO namespaces the official socket.io-protocol suite talks to:
// "/" and "/custom" (test builds only, see docs/protocol-tests.md).
#pragma once

#include "server/socketio/namespace_handler.hpp"

namespace fc::protocol_test {

// On connect emits ["auth", <CONNECT payload or {}>]; with `echo`,
// "message" comes back as "message-back" and "message-with-ack" is
// acknowledged with its own arguments (attachments included).
class EchoNamespace final : public socketio::NamespaceHandler {
public:
    explicit EchoNamespace(bool echo) : echo_(echo) {}
    void on_connect(socketio::Socket& socket, std::string_view auth) override;
    void on_event(socketio::Socket& socket, const socketio::Event& event) override;
    void on_disconnect(socketio::Socket&, std::string_view) override {}

private:
    bool echo_;
};

} // namespace fc::protocol_test
