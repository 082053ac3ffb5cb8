// An Engine.IO session: heartbeat, outgoing queue, the polling and
// WebSocket transports, and the polling -> websocket upgrade.
#pragma once

#include "server/engineio/frame_queue.hpp"
#include "server/engineio/settings.hpp"
#include "server/engineio/transport.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace fc::engineio {

class Server;

// The layer above (Socket.IO) as the session sees it. Owned by the
// session; lives until the session is destroyed, so it may call back into
// the session (even close it) from inside on_message.
class SessionHandler {
public:
    virtual ~SessionHandler() = default;
    virtual void on_message(std::string_view data, bool binary) = 0;
    // Called exactly once, when the session closes for any reason.
    virtual void on_close(std::string_view reason) = 0;
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(Server& server, std::string id, TransportKind transport, std::string remote_address);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    const std::string& id() const { return id_; }
    TransportKind transport() const { return transport_; }
    // The client's IP address as the HTTP layer saw it.
    const std::string& remote_address() const { return remote_address_; }
    bool is_open() const { return state_ == State::open; }
    bool closed() const { return state_ == State::closed; }
    const boost::asio::any_io_executor& executor() const;
    bool upgrading() const { return probe_ != nullptr; }

    void set_handler(std::unique_ptr<SessionHandler> handler) { handler_ = std::move(handler); }
    SessionHandler* handler() const { return handler_.get(); }

    // Starts the heartbeat. A WebSocket session also gets its open packet
    // here; a polling one got it in the handshake response.
    void start(WebSocketLinkPtr link = nullptr, std::string_view open_packet = {});

    // Queues a frame for the client. False if the session is closed, or if
    // the frame overflowed the queue: the client is then dropped as a slow
    // consumer.
    bool send(FramePtr frame);
    // Server-initiated close. With `drain`, frames already queued go out
    // first (a DISCONNECT just sent, say).
    void close(std::string_view reason, bool drain = false);

    // Polling transport.
    void on_poll(PollExchangePtr get);
    void on_post(std::string_view body, PollExchangePtr post);

    // WebSocket transport. A probe link belongs to an upgrade in progress.
    bool begin_upgrade(WebSocketLinkPtr probe);
    void on_ws_message(WebSocketLink* from, std::string_view data, bool binary);
    void on_ws_closed(WebSocketLink* from);
    void on_written(WebSocketLink* from, bool ok);

private:
    enum class State { open, draining, closed };

    void on_packet(PacketType type, std::string_view data, bool binary);
    void on_probe_message(std::string_view data, bool binary);
    void finish_upgrade();
    void abort_upgrade();
    void flush();
    void write_queued();
    void arm_heartbeat(std::chrono::milliseconds after);
    void on_heartbeat(boost::system::error_code ec);
    void on_pong();
    // Tears the session down once; `client_closed` tells a close packet
    // from the client apart from one we initiate.
    void finish(std::string_view reason, bool client_closed);

    Server& server_;
    std::string id_;
    TransportKind transport_;
    std::string remote_address_;
    State state_ = State::open;
    std::unique_ptr<SessionHandler> handler_;

    FrameQueue queue_;
    bool writing_ = false;        // a WebSocket write is in flight
    bool write_posted_ = false;   // a corked WebSocket write is scheduled
    PollExchangePtr pending_get_; // a held long-polling GET
    WebSocketLinkPtr ws_;         // the active WebSocket, if any
    WebSocketLinkPtr probe_;      // a WebSocket being upgraded to
    bool probed_ = false;         // "3probe" sent on probe_

    boost::asio::steady_timer heartbeat_;
    bool awaiting_pong_ = false;
    std::unique_ptr<boost::asio::steady_timer> upgrade_timer_;
    std::string close_reason_; // kept while draining
};

} // namespace fc::engineio
