// What a session sees of its transports: a pending polling request, and a
// WebSocket connection. The HTTP layer implements both.
#pragma once

#include "server/engineio/frame_queue.hpp"
#include "server/engineio/packet.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace fc::engineio {

// One HTTP request of the polling transport, answered exactly once. A GET
// may be held open (long-polling) until there is something to send.
class PollExchange {
public:
    virtual ~PollExchange() = default;
    virtual void respond(unsigned status, std::string_view content_type, std::string body) = 0;
};
using PollExchangePtr = std::shared_ptr<PollExchange>;

// One accepted WebSocket connection. It carries at most one write at a
// time and reports each completion to its session (Session::on_written),
// always from a completion handler of its own, never from inside a call
// the session made.
class WebSocketLink {
public:
    virtual ~WebSocketLink() = default;
    // Takes every frame in `queue` and sends them together, in order.
    virtual void write(FrameQueue& queue) = 0;
    // The session lets go: a close frame after the write in flight (frames
    // handed over but not yet written are dropped), then the socket is shut
    // down (within a few seconds whatever the client does). Nothing more
    // is reported to the session.
    virtual void close() = 0;
    // The session lets go of a client that stopped reading: the socket is
    // closed at once. Nothing more is reported to the session.
    virtual void abort() = 0;
};
using WebSocketLinkPtr = std::shared_ptr<WebSocketLink>;

enum class TransportKind { polling, websocket };

} // namespace fc::engineio
