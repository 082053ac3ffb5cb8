// The long-polling transport: a GET held open until the session has
// something to say, answered with every queued frame as one payload
// (packets joined by 0x1e, binary as "b" + base64); a POST carries the
// client's packets the same way.
#pragma once

#include "server/engineio/transport.hpp"

#include <string_view>

namespace fc::engineio {

class Server;
class Session;

class PollingTransport final : public Transport {
public:
    // Owned by `session` (and kept alive by the server through a request),
    // so the reference never dangles.
    PollingTransport(Session& session, Server& server) : session_(session), server_(server) {}

    TransportKind kind() const override { return TransportKind::polling; }
    bool writable() const override { return get_ != nullptr; }
    bool corked() const override { return false; }
    // Answers the held GET; the frames are the HTTP layer's from then on.
    bool send(FrameQueue& queue) override;
    void close(bool announce) override;
    void abort() override { close(true); }

    // A GET: held until the session has something to say. A second GET
    // while one is held closes the session, as the reference server does.
    void on_poll(PollExchangePtr get);
    // A POST: its packets go to the session in order, then "ok".
    void on_post(std::string_view body, PollExchangePtr post);

private:
    Session& session_;
    Server& server_;
    PollExchangePtr get_; // the held GET, if any
};

} // namespace fc::engineio
