// The bare Engine.IO endpoint the official engine.io-protocol suite talks
// to (/engine.io/, test builds only): every message comes back unchanged.
#pragma once

#include "server/engineio/session.hpp"

namespace fc::protocol_test {

// Echoes every Engine.IO message back unchanged (text and binary).
class EngineEcho final : public engineio::SessionHandler {
public:
    explicit EngineEcho(engineio::Session& session) : session_(session) {}
    void on_message(std::string_view data, bool binary) override;
    void on_close(std::string_view) override {}

private:
    engineio::Session& session_;
};

} // namespace fc::protocol_test
