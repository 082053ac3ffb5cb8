#include "server/engineio/websocket_transport.hpp"

#include "server/base/log.hpp"
#include "server/websocket/handshake.hpp"
#include "server/websocket/read_ready.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <cstring>

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
        // The refusal is the last thing written; the deadline bounds a
        // client that does not read it.
        rejected_ = true;
        control_ = ws::reject_response(e);
        begin_close(ws::close_code::normal, true);
        return;
    }
    // The 101 goes out with the session's first frames, in one write.
    control_ = ws::accept_response(req);
    auto self = this->shared_from_this();
    auto session = server_.attach_websocket(query, remote_address, self);
    if (!session)
        begin_close(ws::close_code::normal, true); // after the 101: a WebSocket close
    else
        session_ = session;
    // Posted, so the session's first frames (corked) join the 101.
    asio::post(socket().get_executor(), [self] { self->start_write(); });
    if constexpr (kPlain) {
        // Watched until shut_down; the set keeps this transport alive.
        if (!server_.ready_set().add(socket().native_handle(), self)) {
            log::warn("websocket.watch_failed", {{"reason", std::strerror(errno)}});
            return shut_down();
        }
    } else {
        tls_read_.resize(kTlsReadBytes);
        do_read();
    }
}

// --- reading -------------------------------------------------------------------

template <class Stream> void WebSocketTransport<Stream>::do_read() {
    if (state_ == State::closed)
        return;
    stream_.async_read_some(asio::buffer(tls_read_),
                            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
                                self->on_read(ec, n);
                            });
}

template <class Stream> void WebSocketTransport<Stream>::on_readable() {
    if constexpr (kPlain) {
        if (state_ == State::closed)
            return;
        boost::system::error_code ec;
        const std::span<char> got = ws::read_ready(socket(), ec);
        if (ec)
            return shut_down(); // closed by the peer or reset
        if (!got.empty())
            on_bytes(got.data(), got.size());
    }
}

template <class Stream>
void WebSocketTransport<Stream>::on_read(boost::system::error_code ec, std::size_t n) {
    if (state_ == State::closed)
        return;
    if (ec)
        return shut_down(); // closed by the peer or reset
    on_bytes(tls_read_.data(), n);
    do_read();
}

template <class Stream> void WebSocketTransport<Stream>::on_bytes(char* data, std::size_t n) {
    if (failed_ || peer_closed_ || rejected_)
        return; // nothing more to parse: the rest is only drained
    bool delivered = false;
    // A frame split by the last read is completed first, copying only its
    // own bytes: the frames after it are parsed where they were read (big
    // frames straddle nearly every read, and copying all of each read
    // behind them was a second copy of every payload).
    while (!partial_.empty() && n > 0) {
        const std::size_t take = std::min(n, partial_wanted_ - partial_.size());
        partial_.append(data, take);
        data += take;
        n -= take;
        if (partial_.size() < partial_wanted_)
            break; // still short: all of this read is in partial_
        if (!parse(partial_.data(), partial_.size(), delivered))
            return;
    }
    if (n > 0 && partial_.empty() && !parse(data, n, delivered))
        return;
    if (state_ != State::open || peer_closed_) {
        // Closing: nothing is delivered any more, so nothing is kept. Only
        // a close frame whole in one read is still seen; otherwise the
        // close ends at the client's end of stream or the deadline.
        std::string().swap(partial_);
        reader_.reset();
    }
    if (partial_.empty() && partial_.capacity() > 0)
        std::string().swap(partial_);
    // A message completed: what is still buffered belongs to a new one.
    // (Nothing buffered, the common case, needs no deadline at all.)
    if (delivered && partial_.size() + reader_.buffered() > 0)
        if (auto s = session_.lock())
            s->input_progress();
    if (!account_buffered()) {
        // Over the client's bound or the server's budget: say so (1013,
        // try again later) and stop buffering.
        failed_ = true;
        std::string().swap(partial_);
        reader_.reset();
        account_buffered();
        begin_close(ws::close_code::try_again_later, true);
        report_closed();
    }
}

// Hands each whole frame in data[0, size) on; keeps an incomplete last one
// in partial_ (which `data` may be). False when the connection failed.
template <class Stream>
bool WebSocketTransport<Stream>::parse(char* data, std::size_t size, bool& delivered) {
    std::size_t used = 0;
    while (state_ != State::closed && !peer_closed_) {
        const ws::Event e = reader_.next(data + used, size - used);
        if (e.kind == ws::Event::Kind::need_more) {
            if (used == size)
                break;
            partial_wanted_ = e.wanted;
            if (data == partial_.data())
                partial_.erase(0, used); // (only a header's bytes: it was one frame)
            else
                partial_.assign(data + used, size - used);
            return true;
        }
        if (e.kind == ws::Event::Kind::error) {
            // A protocol violation: fail the connection with the code
            // that says why (1002, 1007, 1009) and drop what is left.
            failed_ = true;
            std::string().swap(partial_);
            reader_.reset();
            account_buffered();
            begin_close(e.code, true);
            report_closed();
            return false;
        }
        used += e.consumed;
        // Only whole messages count as progress: pings or fragments
        // trickled around one big message do not keep it alive.
        delivered = delivered || e.kind == ws::Event::Kind::message;
        on_frame(e);
    }
    if (data == partial_.data())
        partial_.clear();
    return true;
}

template <class Stream> bool WebSocketTransport<Stream>::account_buffered() {
    const std::size_t now = partial_.size() + reader_.buffered();
    if (now == accounted_)
        return true; // nothing to tell (and no weak_ptr lock on every read)
    auto s = session_.lock();
    if (!s)
        return true; // nothing is accounted once the session let go
    if (now < accounted_) {
        s->release(accounted_ - now);
        accounted_ = now;
    } else if (now > accounted_) {
        if (!s->reserve(now - accounted_))
            return false;
        accounted_ = now;
    }
    return true;
}

template <class Stream> void WebSocketTransport<Stream>::on_frame(const ws::Event& e) {
    using Kind = ws::Event::Kind;
    switch (e.kind) {
    case Kind::message:
        if (state_ != State::open)
            return; // closing: data is no longer delivered
        if (auto s = session_.lock()) {
            // One packet per frame: a binary frame is a binary message.
            server_.stats().bytes_in += e.payload.size();
            if (e.binary)
                return s->on_packet(this, PacketType::message, e.payload, true);
            auto p = decode_text_packet(e.payload);
            if (!p)
                return s->on_transport_error(this, "parse error");
            s->on_packet(this, p->type, p->data, false);
        }
        return;
    case Kind::ping:
        if (state_ != State::open)
            return;
        pong_.assign(e.payload);
        pong_pending_ = true;
        return start_write();
    case Kind::close:
        peer_closed_ = true;
        if (state_ == State::close_sent) {
            // The answer to our close: the handshake is complete.
            return shut_down();
        }
        if (state_ == State::open) {
            // Answer with the same code, after which the server closes the
            // TCP connection first, as RFC 6455 asks.
            begin_close(e.code == ws::close_code::no_status ? ws::close_code::normal : e.code,
                        true);
            report_closed();
        }
        // (Our own close is on its way: once written, the handshake is
        // complete and the socket is closed.)
        return;
    case Kind::pong:
    case Kind::none:
    case Kind::need_more:
    case Kind::error:
        return;
    }
}

// --- writing -------------------------------------------------------------------

template <class Stream> bool WebSocketTransport<Stream>::send(FrameQueue& queue) {
    server_.stats().bytes_out += queue.bytes();
    if (state_ != State::open) {
        queue.clear(); // the session let go or is being told; nothing more is sent
        return true;
    }
    queue.take_all(frames_);
    if constexpr (kPlain)
        if (!writing_ && control_.empty() && !pong_pending_ && write_at_once())
            return false; // written: nothing of the session's is in flight
    start_write();
    return true;
}

// The relay's hot path. A client that reads keeps its TCP window open, so
// the socket nearly always takes a batch whole: written here, the batch
// needs no operation in flight, no completion handler, and its frames and
// staging buffer go back to their pools at once, not after the turn's
// other handlers (thousands of connections writing in one turn overflowed
// both pools into the general heap). The session learns it from send()'s
// answer, so nothing reports back into it from inside its own call.
template <class Stream> bool WebSocketTransport<Stream>::write_at_once() {
    frames_writing_.swap(frames_);
    batch_.build({}, frames_writing_);
    boost::system::error_code ec;
    const std::size_t n = socket().write_some(batch_.pending(), ec); // non-blocking
    if (!ec) {
        batch_.consume(n);
        if (batch_.pending().empty()) {
            clear_and_trim(frames_writing_, 1);
            batch_.clear();
            return true;
        }
    }
    writing_ = true;
    write_tick_ = server_.tick();
    if (!ec || ec == asio::error::would_block || ec == asio::error::try_again) {
        write_batch(); // what is left, once the socket can take it
    } else {
        // Failed (reset, broken pipe): reported as a write that failed,
        // from a handler of our own.
        asio::post(socket().get_executor(),
                   [self = this->shared_from_this(), ec] { self->on_write(ec); });
    }
    return false;
}

template <class Stream> void WebSocketTransport<Stream>::start_write() {
    if (writing_ || state_ == State::closed ||
        (frames_.empty() && control_.empty() && !pong_pending_))
        return;
    writing_ = true;
    frames_writing_.swap(frames_);
    control_writing_.swap(control_);
    if (pong_pending_) {
        ws::append_frame(control_writing_, ws::Opcode::pong, pong_);
        pong_pending_ = false;
        std::string().swap(pong_);
    }

    batch_.build(control_writing_, frames_writing_);
    write_tick_ = server_.tick();
    write_batch();
}

template <class Stream> bool WebSocketTransport<Stream>::write_stuck_since(std::uint64_t since) const {
    return writing_ && write_tick_ < since;
}

// Over plain TCP, one write_some at a time on what is left of the batch,
// not asio::async_write: its operation carries room for 64 buffers (over
// 1 KiB), too big for Asio's per-thread handler cache, so every write cost
// a fresh allocation and free; ours carries a span.
template <class Stream> void WebSocketTransport<Stream>::write_batch() {
    if constexpr (kPlain) {
        socket().async_write_some(
            batch_.pending(),
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
                self->on_write_some(ec, n);
            });
    } else {
        asio::async_write(stream_, batch_.buffers(),
                          [self = this->shared_from_this()](boost::system::error_code ec,
                                                            std::size_t) { self->on_write(ec); });
    }
}

template <class Stream>
void WebSocketTransport<Stream>::on_write_some(boost::system::error_code ec, std::size_t n) {
    if (!ec && n == 0)
        ec = asio::error::connection_aborted; // (a stream never writes nothing without an error)
    if (ec)
        return on_write(ec);
    batch_.consume(n);
    write_tick_ = server_.tick(); // the client took bytes
    if (!batch_.pending().empty())
        return write_batch(); // a partial write: the rest, still as one write in flight
    on_write(ec);
}

template <class Stream> void WebSocketTransport<Stream>::on_write(boost::system::error_code ec) {
    writing_ = false;
    const bool had_frames = !frames_writing_.empty();
    clear_and_trim(frames_writing_, 1);
    batch_.clear();
    std::string().swap(control_writing_);
    if (ec)
        return shut_down(); // reported to the session as a closed link
    switch (state_) {
    case State::open:
        // Reported once everything handed over so far is out: frames can
        // wait behind a write the session did not start (the probe's
        // "3probe" still in flight when the upgrade completes).
        if (had_frames && frames_.empty())
            if (auto s = session_.lock())
                s->on_written(this, true); // may hand over the next frames
        return start_write();
    case State::closing:
        // The session's last frames are out: now the close frame.
        queue_close_frame();
        return start_write();
    case State::close_queued:
        if (control_.empty())
            return after_close_sent(); // it was in this write
        return start_write();
    case State::close_sent:
    case State::closed:
        return;
    }
}

// --- closing -------------------------------------------------------------------

template <class Stream> void WebSocketTransport<Stream>::close(bool /*announce*/) {
    // (Announced or not, the close frame is how a WebSocket ends.)
    let_go();
    // Frames not yet written are dropped: a session that wanted them out
    // (a drain) waited for them before letting go.
    begin_close(ws::close_code::normal, true);
    // What was buffered of an incomplete message is no longer anyone's
    // and no longer counted: freed now, not at the deadline. Posted, since
    // close() may come from inside on_bytes (a probe refused mid-read).
    asio::post(socket().get_executor(), [self = this->shared_from_this()] {
        std::string().swap(self->partial_);
        self->reader_.reset();
    });
}

template <class Stream> void WebSocketTransport<Stream>::abort() {
    let_go();
    shut_down();
}

template <class Stream> std::shared_ptr<Session> WebSocketTransport<Stream>::let_go() {
    auto s = session_.lock();
    session_.reset();
    if (s && accounted_ > 0)
        s->release(accounted_); // a probe's session lives on after it
    accounted_ = 0;
    return s;
}

template <class Stream>
void WebSocketTransport<Stream>::begin_close(std::uint16_t code, bool discard) {
    if (state_ != State::open)
        return;
    state_ = State::closing;
    close_code_ = code;
    pong_pending_ = false;
    if (discard)
        frames_.clear();
    // From here on the socket is closed within kCloseTimeout whatever the
    // peer does: it may never read our close frame (a full TCP window), or
    // never answer it.
    close_timer_ = std::make_unique<asio::steady_timer>(socket().get_executor());
    close_timer_->expires_after(kCloseTimeout);
    close_timer_->async_wait([weak = this->weak_from_this()](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec)
            self->shut_down();
    });
    if (frames_writing_.empty() && frames_.empty())
        queue_close_frame();
    start_write();
}

template <class Stream> void WebSocketTransport<Stream>::queue_close_frame() {
    if (state_ != State::closing || !frames_.empty() || !frames_writing_.empty())
        return;
    state_ = State::close_queued;
    if (!rejected_) // a refused handshake has its HTTP answer in control_ already
        control_ += ws::close_frame(close_code_);
}

template <class Stream> void WebSocketTransport<Stream>::after_close_sent() {
    state_ = State::close_sent;
    if (peer_closed_ || rejected_)
        return shut_down();
    // Half-close and wait for the peer's close frame or end of stream;
    // reading goes on meanwhile, and the deadline armed in begin_close
    // cuts a peer that never answers.
    boost::system::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_send, ignored);
}

template <class Stream> void WebSocketTransport<Stream>::shut_down() {
    if (state_ == State::closed)
        return;
    state_ = State::closed;
    if constexpr (kPlain)
        server_.ready_set().remove(socket().native_handle());
    boost::system::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    if (close_timer_)
        close_timer_->cancel();
    frames_.clear();
    std::string().swap(partial_);
    std::string().swap(pong_);
    reader_.reset();
    account_buffered();
    report_closed();
}

template <class Stream> void WebSocketTransport<Stream>::report_closed() {
    // Once: the session forgets this link when told.
    if (auto s = let_go())
        s->on_transport_closed(this);
}

template class WebSocketTransport<tcp::socket>;
template class WebSocketTransport<beast::ssl_stream<beast::tcp_stream>>;

} // namespace fc::engineio
