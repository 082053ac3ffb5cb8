// An Engine.IO session: the state one client's transports share (the
// heartbeat, the bounded outgoing queue, what is held against the memory
// budget, the deadlines) and the polling -> websocket upgrade. The
// transports themselves (PollingTransport, WebSocketTransport) are reached
// through the one Transport interface.
#pragma once

#include "server/engineio/frame_queue.hpp"
#include "server/engineio/settings.hpp"
#include "server/engineio/transport.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace fc::engineio {

class PollingTransport;
class Server;

// The layer above (Socket.IO) as the session sees it. Owned by the
// session; lives until the session is destroyed, so it may call back into
// the session (even close it: that is carried out later) from inside
// on_message.
class SessionHandler {
public:
    virtual ~SessionHandler() = default;
    virtual void on_message(std::string_view data, bool binary) = 0;
    // Called exactly once, when the session closes for any reason.
    virtual void on_close(std::string_view reason) = 0;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Server& server, std::string id, std::string remote_address);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const std::string& id() const { return id_; }
    TransportKind transport() const { return kind_; }
    // The client's IP address as the HTTP layer saw it.
    const std::string& remote_address() const { return remote_address_; }
    bool is_open() const { return state_ == State::open; }
    // Closed, or closing on the next turn of the event loop: either way
    // nothing more is sent to the client or delivered from it.
    bool closed() const { return state_ == State::closing || state_ == State::closed; }
    const boost::asio::any_io_executor& executor() const;
    bool upgrading() const { return probe_ != nullptr; }

    void set_handler(std::unique_ptr<SessionHandler> handler) { handler_ = std::move(handler); }
    SessionHandler* handler() const { return handler_.get(); }

    // Starts the heartbeat on its first transport. A WebSocket session also
    // gets its open packet here; a polling one got it in the handshake
    // response.
    void start(TransportPtr transport, std::string_view open_packet = {});
    // The active transport when it is polling (the server routes GETs and
    // POSTs to it), else null.
    std::shared_ptr<PollingTransport> polling() const;

    // Queues a frame for the client. False if the session is closed or
    // closing, or if the frame did not fit the client's bound or the
    // server's budget: the client is then dropped as a slow consumer.
    // Never calls back into the caller: a drop is carried out on a later
    // turn of the event loop, so a broadcast can go on with its list.
    bool send(FramePtr frame);
    // Server-initiated close, carried out on a later turn of the loop. With
    // `drain`, frames already queued go out first (a DISCONNECT just sent).
    void close(std::string_view reason, bool drain = false);

    // Bytes a layer keeps for this client besides its queue (an incomplete
    // frame, attachments waiting for their packet): they count against the
    // client's bound (max_queued_bytes) and the server's memory budget.
    // False when they do not fit: the session is then closing and the
    // caller must not keep them.
    bool reserve(std::size_t n);
    void release(std::size_t n);
    // A message completed (what is buffered now belongs to a new one): the
    // input deadline starts again.
    void input_progress();
    // Everything held for this client: queued, being written, reserved.
    std::size_t held_bytes() const { return queue_.bytes() + in_flight_ + reserved_; }

    // The server's watchdog, once a tick: cuts a WebSocket whose write has
    // been in flight for more than `timeout_ticks` ticks, and closes a
    // client whose reserved input has not moved (no message completed) as
    // long.
    void check_deadlines(std::uint64_t now_tick, std::uint64_t timeout_ticks);

    // Starts the upgrade to `probe` (a WebSocket). False when the session
    // is not polling, or upgrades already.
    bool begin_upgrade(TransportPtr probe);

    // From the transports: the active one, or an upgrade's probe. Calls
    // from any other (one the session let go of) are ignored.
    // A packet from the client.
    void on_packet(Transport* from, PacketType type, std::string_view data, bool binary);
    // The transport can take frames again (polling: a GET arrived).
    void on_writable(Transport* from);
    // The frames handed over by send() are out (or failed).
    void on_written(Transport* from, bool ok);
    // The client broke the transport's protocol (a bad packet, a payload
    // too large, two polls at once): the session closes with `reason`; a
    // probe's upgrade is abandoned.
    void on_transport_error(Transport* from, std::string_view reason);
    // The client went away (its close, end of stream, a reset).
    void on_transport_closed(Transport* from);

private:
    // open -> (draining ->) closing -> closed. `closing` lasts until the
    // posted teardown runs; `draining` waits for the queue to empty first.
    enum class State { open, draining, closing, closed };

    void on_probe_packet(PacketType type, std::string_view data, bool binary);
    void finish_upgrade();
    void abort_upgrade();
    void flush();
    void hand_over();
    // A draining session whose last frames are out is closed now.
    void end_if_drained();
    void arm_heartbeat(std::chrono::milliseconds after);
    void on_heartbeat(boost::system::error_code ec);
    void on_pong();
    // Marks the session closing at once and posts the teardown; the one
    // way a session ends. `client_closed` tells a close packet from the
    // client apart from one we initiate.
    void fail(std::string_view reason, bool client_closed);
    // The teardown: transports closed, the layer above told (on_close).
    void finish();
    // Takes `n` bytes from the client's bound and the server's budget
    // (its input half for bytes the client sent).
    bool charge(std::size_t n, bool input);

    Server& server_;
    std::string id_;
    TransportKind kind_ = TransportKind::polling; // of the active transport
    std::string remote_address_;
    State state_ = State::open;
    std::unique_ptr<SessionHandler> handler_;

    FrameQueue queue_;
    std::size_t in_flight_ = 0;   // bytes in the transport's send in flight
    std::size_t reserved_ = 0;    // bytes reserved by the layers (reserve())
    bool writing_ = false;        // a send is in flight (a WebSocket write)
    bool write_posted_ = false;   // a corked hand-over is scheduled
    std::uint64_t write_tick_ = 0; // the watchdog tick the write began in
    std::uint64_t input_tick_ = 0; // the tick reserved input last made progress
    TransportPtr transport_;      // the active transport; null once closed
    bool corked_ = false;         // transport_->corked(), asked once (the hot path)
    TransportPtr probe_;          // a WebSocket being upgraded to
    bool probed_ = false;         // "3probe" sent on probe_

    boost::asio::steady_timer heartbeat_;
    bool awaiting_pong_ = false;
    std::unique_ptr<boost::asio::steady_timer> upgrade_timer_;
    std::string close_reason_; // kept while draining and closing
    bool client_closed_ = false;
};

} // namespace fc::engineio
