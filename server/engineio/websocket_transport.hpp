// The WebSocket transport: Engine.IO packets over RFC 6455 frames, one
// packet per frame (text frames for text packets, binary frames for binary
// messages), framed by server/websocket/.
//
// Built for many idle connections and busy relays: over plain TCP an idle
// connection holds no read buffer (it waits in the server's ReadySet, then
// reads into a per-thread scratch buffer; only an incomplete frame is kept), and
// everything queued for a client goes out in one gather write. Templated on
// the stream: a plain tcp::socket, or a TLS stream (which reads into a
// buffer of its own, since TLS may hold decrypted bytes the socket's
// readiness does not show).
#pragma once

#include "server/engineio/server.hpp"
#include "server/engineio/transport.hpp"
#include "server/engineio/write_batch.hpp"
#include "server/websocket/frame.hpp"
#include "server/websocket/ready_set.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <string>
#include <vector>

namespace fc::engineio {

template <class Stream>
class WebSocketTransport final : public Transport,
                                 public websocket::ReadySet::Reader,
                                 public std::enable_shared_from_this<WebSocketTransport<Stream>> {
public:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;

    WebSocketTransport(Stream&& stream, Server& server);

    // Answers the upgrade request (101, or an HTTP error and close), then
    // opens or upgrades a session.
    void accept(const Request& req, std::string query, std::string remote_address);

    TransportKind kind() const override { return TransportKind::websocket; }
    // Frames are taken at any time, even while a pong or the 101 is being
    // written: they go out behind it.
    bool writable() const override { return true; }
    bool corked() const override { return true; }
    bool send(FrameQueue& queue) override;
    void close(bool announce) override;
    void abort() override;
    bool write_stuck_since(std::uint64_t since) const override;
    // Plain TCP: the socket has bytes, an end or an error (ReadySet).
    void on_readable() override;

private:
    static constexpr bool kPlain = std::is_same_v<Stream, boost::asio::ip::tcp::socket>;

    // The close handshake as one state (RFC 6455 section 7). Reading goes
    // on until `closed`, so the peer's close frame is seen.
    enum class State {
        open,         // frames flow both ways
        closing,      // our close frame waits behind session frames being written
        close_queued, // our close frame (or the refusal of the handshake) is being written
        close_sent,   // written; waiting for the peer's close frame or end of stream
        closed,       // the socket is closed
    };

    boost::asio::ip::tcp::socket& socket();
    void do_read();                                                // TLS
    void on_read(boost::system::error_code ec, std::size_t n);     // TLS
    void on_bytes(char* data, std::size_t n);
    bool parse(char* data, std::size_t size, bool& delivered);
    void on_frame(const websocket::Event& e);
    // Keeps the session's account of what this connection buffers (an
    // incomplete frame, a fragmented message) in step; false when the
    // bytes do not fit and the connection is failing.
    bool account_buffered();
    // Starts our side of the close: `discard` drops session frames not yet
    // written (the peer is gone or broke the protocol). Arms the deadline
    // by which the socket is closed whatever the peer does.
    void begin_close(std::uint16_t code, bool discard);
    void queue_close_frame();
    void start_write();
    // Plain TCP, nothing in flight: writes `frames_` straight to the
    // socket. True when it took them all; else the rest is a write in
    // flight, reported by on_write as any other.
    bool write_at_once();
    void write_batch();
    void on_write_some(boost::system::error_code ec, std::size_t n);
    void on_write(boost::system::error_code ec);
    void after_close_sent();
    void shut_down();
    // Stops reporting to the session and gives back what was reserved
    // with it; returns the session if it was still there.
    std::shared_ptr<Session> let_go();
    void report_closed();

    Stream stream_;
    Server& server_;
    // The session this link reports to; empty once the session let go
    // (close(), abort()) or was told the link closed.
    std::weak_ptr<Session> session_;
    websocket::Reader reader_;
    std::string partial_;        // an incomplete frame, kept between reads
    std::size_t partial_wanted_ = 0; // the bytes it spans, as far as known
    std::size_t accounted_ = 0;  // buffered bytes reserved with the session
    std::vector<char> tls_read_; // TLS only: the read buffer

    // Writing: the session's frames and our control frames (101, pong,
    // close) go out together; one write at a time.
    std::vector<FramePtr> frames_;        // taken from the session, not yet written
    std::vector<FramePtr> frames_writing_; // in the write in flight
    std::string control_;                  // control bytes not yet written
    std::string control_writing_;
    // At most one pong waits: a ping that arrives before the last one was
    // answered replaces it (RFC 6455 section 5.5.3 allows answering only
    // the latest), so pings from a client that never reads cost nothing.
    std::string pong_;
    bool pong_pending_ = false;
    WriteBatch batch_; // the write in flight, laid out
    bool writing_ = false;
    std::uint64_t write_tick_ = 0; // the server tick the write in flight last took bytes

    State state_ = State::open;
    bool rejected_ = false;    // the handshake was refused: HTTP, not WebSocket
    bool peer_closed_ = false; // the peer's close frame arrived
    bool failed_ = false;      // the peer broke the protocol: its bytes are drained, not parsed
    std::uint16_t close_code_ = websocket::close_code::normal;
    std::unique_ptr<boost::asio::steady_timer> close_timer_;
};

extern template class WebSocketTransport<boost::asio::ip::tcp::socket>;
extern template class WebSocketTransport<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

} // namespace fc::engineio
