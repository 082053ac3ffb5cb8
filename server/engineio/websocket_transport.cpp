#include "server/engineio/websocket_transport.hpp"

#include "server/websocket/handshake.hpp"
#include "server/websocket/read_ready.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace fc::engineio {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ws = fc::websocket;
using tcp = asio::ip::tcp;

namespace {

// A TLS connection's own read buffer.
constexpr std::size_t kTlsReadBytes = 4096;

// After our close frame went out, the peer has this long to answer with
// its own close (or to close the TCP connection) before we cut it.
constexpr auto kCloseTimeout = std::chrono::seconds(5);

// Vectors a busy moment grew are given back afterwards, so a connection
// that then idles for hours holds nothing: beyond room for this many
// frames (`per_frame` elements each), the storage is released.
constexpr std::size_t kKeepFrames = 16;

template <class V> void clear_and_trim(V& v, std::size_t per_frame) {
    v.clear();
    if (v.capacity() > kKeepFrames * per_frame)
        V().swap(v);
}

} // namespace

template <class Stream>
WebSocketTransport<Stream>::WebSocketTransport(Stream&& stream, Server& server)
    : stream_(std::move(stream)), server_(server), reader_(server.settings().max_payload) {}

template <class Stream> tcp::socket& WebSocketTransport<Stream>::socket() {
    if constexpr (kPlain)
        return stream_;
    else
        return beast::get_lowest_layer(stream_).socket();
}

// --- handshake ---------------------------------------------------------------

template <class Stream>
void WebSocketTransport<Stream>::accept(const Request& req, std::string query,
                                        std::string remote_address) {
    boost::system::error_code ignored;
    if constexpr (kPlain)
        socket().non_blocking(true, ignored);
    if (auto e = ws::check_request(req); e != ws::HandshakeError::none) {
        rejected_ = true;
        control_ = ws::reject_response(e);
        return start_write();
    }
    // The 101 goes out with the session's first frames, in one write.
    control_ = ws::accept_response(req);
    auto self = this->shared_from_this();
    auto session = server_.attach_websocket(query, remote_address, self);
    if (!session)
        close(); // after the 101, so the client sees a WebSocket close
    else
        session_ = session;
    // Posted, so the session's first frames (corked) join the 101.
    asio::post(socket().get_executor(), [self] { self->start_write(); });
    if constexpr (!kPlain)
        tls_read_.resize(kTlsReadBytes);
    do_read();
}

// --- reading -------------------------------------------------------------------

template <class Stream> void WebSocketTransport<Stream>::do_read() {
    if (stopped_)
        return;
    if constexpr (kPlain) {
        socket().async_wait(tcp::socket::wait_read,
                            [self = this->shared_from_this()](boost::system::error_code ec) {
                                self->on_readable(ec);
                            });
    } else {
        stream_.async_read_some(
            asio::buffer(tls_read_),
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
                self->on_read(ec, n);
            });
    }
}

template <class Stream> void WebSocketTransport<Stream>::on_readable(boost::system::error_code ec) {
    if (stopped_)
        return;
    const std::span<char> got = ec ? std::span<char>() : ws::read_ready(socket(), ec);
    if (ec)
        return shut_down(); // closed by the peer or reset
    if (!got.empty())
        on_bytes(got.data(), got.size());
    do_read();
}

template <class Stream>
void WebSocketTransport<Stream>::on_read(boost::system::error_code ec, std::size_t n) {
    if (stopped_)
        return;
    if (ec)
        return shut_down(); // closed by the peer or reset
    on_bytes(tls_read_.data(), n);
    do_read();
}

template <class Stream> void WebSocketTransport<Stream>::on_bytes(char* data, std::size_t n) {
    if (failed_)
        return; // after a protocol error the rest is not parsed, only drained
    char* p = data;
    std::size_t size = n;
    if (!partial_.empty()) {
        partial_.append(data, n);
        p = partial_.data();
        size = partial_.size();
    }
    std::size_t used = 0;
    while (!stopped_ && !close_received_) {
        const ws::Event e = reader_.next(p + used, size - used);
        if (e.kind == ws::Event::Kind::need_more)
            break;
        if (e.kind == ws::Event::Kind::error) {
            // A protocol violation: fail the connection with the code
            // that says why (1002, 1007, 1009) and drop what is left.
            failed_ = true;
            std::string().swap(partial_);
            reader_.reset();
            send_close(e.code);
            report_closed();
            return;
        }
        used += e.consumed;
        on_frame(e);
    }
    if (stopped_ || close_received_) {
        std::string().swap(partial_);
        return;
    }
    if (p == partial_.data()) {
        partial_.erase(0, used);
    } else {
        partial_.assign(p + used, size - used);
    }
    if (partial_.empty() && partial_.capacity() > 0)
        std::string().swap(partial_);
}

template <class Stream> void WebSocketTransport<Stream>::on_frame(const ws::Event& e) {
    using Kind = ws::Event::Kind;
    switch (e.kind) {
    case Kind::message:
        if (close_wanted_)
            return; // closing: data is no longer delivered
        if (auto s = session_.lock())
            s->on_ws_message(this, e.payload, e.binary);
        return;
    case Kind::ping:
        if (close_wanted_)
            return;
        ws::append_frame(control_, ws::Opcode::pong, e.payload);
        return start_write();
    case Kind::close:
        close_received_ = true;
        if (close_sent_) {
            // The answer to our close: the handshake is complete.
            return shut_down();
        }
        // Answer with the same code, after which the server closes the
        // TCP connection first, as RFC 6455 asks.
        send_close(e.code == ws::close_code::no_status ? ws::close_code::normal : e.code);
        report_closed();
        return;
    case Kind::pong:
    case Kind::none:
    case Kind::need_more:
    case Kind::error:
        return;
    }
}

// --- writing -------------------------------------------------------------------

template <class Stream> void WebSocketTransport<Stream>::write(FrameQueue& queue) {
    if (close_wanted_ || stopped_) {
        // Keep the session's bookkeeping going; nothing more is sent.
        queue.clear();
        if (auto s = session_.lock())
            s->on_written(this, false);
        return;
    }
    queue.take_all(frames_);
    start_write();
}

template <class Stream> void WebSocketTransport<Stream>::start_write() {
    if (writing_ || stopped_ || (frames_.empty() && control_.empty()))
        return;
    writing_ = true;
    frames_writing_.swap(frames_);
    control_writing_.swap(control_);
    close_in_write_ = close_queued_;
    close_queued_ = false;

    headers_.resize(frames_writing_.size() * ws::kMaxHeaderSize);
    buffers_.clear();
    buffers_.reserve(1 + 2 * frames_writing_.size());
    if (!control_writing_.empty())
        buffers_.emplace_back(control_writing_.data(), control_writing_.size());
    for (std::size_t i = 0; i < frames_writing_.size(); ++i) {
        const Frame& f = *frames_writing_[i];
        unsigned char* head = headers_.data() + i * ws::kMaxHeaderSize;
        const std::size_t h = ws::encode_header(f.binary ? ws::Opcode::binary : ws::Opcode::text,
                                                f.bytes.size(), head);
        buffers_.emplace_back(head, h);
        buffers_.emplace_back(f.bytes.data(), f.bytes.size());
    }
    asio::async_write(stream_, buffers_,
                      [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                          self->on_write(ec);
                      });
}

template <class Stream> void WebSocketTransport<Stream>::on_write(boost::system::error_code ec) {
    writing_ = false;
    const bool had_frames = !frames_writing_.empty();
    clear_and_trim(frames_writing_, 1);
    clear_and_trim(headers_, ws::kMaxHeaderSize);
    clear_and_trim(buffers_, 2);
    std::string().swap(control_writing_);
    if (ec) {
        shut_down();
        if (had_frames)
            if (auto s = session_.lock())
                s->on_written(this, false);
        return;
    }
    if (rejected_)
        return shut_down();
    if (close_in_write_) {
        close_in_write_ = false;
        after_close_sent();
        return;
    }
    if (close_wanted_ && !close_queued_ && frames_.empty()) {
        // The session's last frames are out: now the close frame.
        control_ += ws::close_frame(close_code_);
        close_queued_ = true;
    }
    if (had_frames && !close_wanted_)
        if (auto s = session_.lock())
            s->on_written(this, true); // may hand over the next frames
    start_write();
}

// --- closing -------------------------------------------------------------------

template <class Stream> void WebSocketTransport<Stream>::close() {
    if (close_wanted_ || stopped_)
        return;
    send_close(ws::close_code::normal);
}

template <class Stream> void WebSocketTransport<Stream>::send_close(std::uint16_t code) {
    if (close_wanted_ || stopped_)
        return;
    close_wanted_ = true;
    // Frames taken but not yet written are dropped when the peer is gone
    // or broke the protocol; a close we start waits for them.
    if (code != ws::close_code::normal || close_received_)
        frames_.clear();
    close_code_ = code;
    if (frames_writing_.empty() && frames_.empty()) {
        control_ += ws::close_frame(code);
        close_queued_ = true;
    }
    start_write();
}

template <class Stream> void WebSocketTransport<Stream>::after_close_sent() {
    close_sent_ = true;
    if (close_received_)
        return shut_down();
    // Half-close and wait for the peer's close frame or end of stream;
    // reading goes on meanwhile. A peer that never answers is cut.
    boost::system::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_send, ignored);
    close_timer_ = std::make_unique<asio::steady_timer>(socket().get_executor());
    close_timer_->expires_after(kCloseTimeout);
    close_timer_->async_wait(
        [weak = this->weak_from_this()](boost::system::error_code ec) {
            if (auto self = weak.lock(); self && !ec)
                self->shut_down();
        });
}

template <class Stream> void WebSocketTransport<Stream>::shut_down() {
    if (stopped_)
        return;
    stopped_ = true;
    boost::system::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    if (close_timer_)
        close_timer_->cancel();
    frames_.clear();
    std::string().swap(partial_);
    reader_.reset();
    report_closed();
}

template <class Stream> void WebSocketTransport<Stream>::report_closed() {
    if (reported_closed_)
        return;
    reported_closed_ = true;
    if (auto s = session_.lock())
        s->on_ws_closed(this);
}

template class WebSocketTransport<tcp::socket>;
template class WebSocketTransport<beast::ssl_stream<beast::tcp_stream>>;

} // namespace fc::engineio
