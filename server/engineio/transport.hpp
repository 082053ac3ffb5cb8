// What a session sees of the transports that carry its packets: one
// interface that long-polling (PollingTransport) and WebSocket
// (WebSocketTransport) both implement, each draining the session's queue
// its own way; and the polling request the HTTP layer answers.
#pragma once

#include "server/engineio/frame_queue.hpp"
#include "server/engineio/packet.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace fc::engineio {

enum class TransportKind { polling, websocket };

// One HTTP request of the polling transport, answered exactly once. A GET
// may be held open (long-polling) until there is something to send.
class PollExchange {
public:
    virtual ~PollExchange() = default;
    virtual void respond(unsigned status, std::string_view content_type, std::string body) = 0;
};
using PollExchangePtr = std::shared_ptr<PollExchange>;

// A transport as its session drives it. The session owns the state (the
// queue, the heartbeat, the budget, the deadlines) and hands frames over;
// the transport only carries them, and reports up through the session's
// transport calls (Session::on_packet, on_writable, on_written,
// on_transport_error, on_transport_closed), naming itself, so the session
// tells its active transport from an upgrade's probe or one it let go.
class Transport {
public:
    virtual ~Transport() = default;

    virtual TransportKind kind() const = 0;
    // Whether frames can be handed over now. A corked transport (a
    // WebSocket) always takes them, and is not asked: the session hands
    // over one batch at a time. Polling takes them only while it holds a
    // GET, and reports the next GET by Session::on_writable.
    virtual bool writable() const = 0;
    // Whether frames queued during one turn of the event loop are handed
    // over together once its handlers have run (a WebSocket: one gather
    // write for a burst of signals), or at once (polling: a held GET is
    // answered as soon as there is something to say). Asked once, when
    // the transport becomes the session's.
    virtual bool corked() const = 0;
    // Takes every frame in `queue` and sends them together, in order. True
    // when they are now in flight: their end is reported by
    // Session::on_written, always from a completion handler of the
    // transport's own, never from inside a call the session made. False
    // when they left for good: a WebSocket's socket took them all at once,
    // or they are the answer to a held GET (the HTTP layer's from then
    // on).
    virtual bool send(FrameQueue& queue) = 0;
    // The session lets go; nothing more is reported to it. A WebSocket
    // sends a close frame after the write in flight (frames handed over
    // but not yet written are dropped), then shuts the socket down (within
    // a few seconds whatever the client does). Polling answers a held GET
    // with a close packet when `announce`, else with a noop (the client
    // closed, or the session went on over a WebSocket).
    virtual void close(bool announce) = 0;
    // The session lets go of a client that stopped reading: a WebSocket is
    // closed at once. Nothing more is reported to the session.
    virtual void abort() = 0;
    // Whether a write of the transport's own has taken no byte since tick
    // `since`: a WebSocket's pong or close frame to a client that stopped
    // reading, which no frame of the session's is behind (the session
    // times its own writes). The session asks on every deadline check.
    virtual bool write_stuck_since(std::uint64_t /*since*/) const { return false; }
};
using TransportPtr = std::shared_ptr<Transport>;

} // namespace fc::engineio
