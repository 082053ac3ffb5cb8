// Behaviours the official Socket.IO / Engine.IO protocol suites expect,
// enabled only by --protocol-test-mode: echo namespaces "/" and "/custom"
// and a bare Engine.IO echo endpoint.
#pragma once

#include "server/engineio/session.hpp"
#include "server/socketio/namespace_handler.hpp"

namespace fc::signaling {

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

// Echoes every Engine.IO message back unchanged (text and binary).
class EngineEcho final : public engineio::SessionHandler {
public:
    explicit EngineEcho(engineio::Session& session) : session_(session) {}
    void on_message(std::string_view data, bool binary) override;
    void on_close(std::string_view) override {}

private:
    engineio::Session& session_;
};

} // namespace fc::signaling
