#include "server/engineio/websocket_transport.hpp"

#include <boost/asio/buffer.hpp>

#include <algorithm>

namespace fc::engineio {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {
// What an idle connection holds while it waits for its next message: the
// read buffer is prepared before data arrives, so it is kept this small
// (Beast would prepare 1536 bytes), and a larger message is read in pieces
// of doubling size. Buffers above it are released after each message, so
// a burst does not pin memory on a connection that then idles for hours.
constexpr std::size_t kIdleReadBuffer = 512;
} // namespace

template <class Stream>
WebSocketTransport<Stream>::WebSocketTransport(Stream&& stream, Server& server)
    : ws_(std::move(stream)), server_(server) {
    // The Engine.IO heartbeat decides when a peer is dead; Beast's own
    // timeouts only guard the handshake and the closing handshake.
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.read_message_max(server.settings().max_payload);
    // No auto-fragmentation: frames go out straight from the shared frame
    // buffer instead of through a per-connection write buffer.
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(beast::http::field::server, "festival-chat-server");
    }));
}

template <class Stream>
void WebSocketTransport<Stream>::accept(Request req, std::string query,
                                        std::string remote_address) {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.async_accept(req, [self = this->shared_from_this(), query = std::move(query),
                           remote = std::move(remote_address)](boost::system::error_code ec) {
        self->on_accept(ec, query, remote);
    });
}

template <class Stream>
void WebSocketTransport<Stream>::on_accept(boost::system::error_code ec, const std::string& query,
                                           const std::string& remote_address) {
    if (ec)
        return;
    auto session = server_.attach_websocket(query, remote_address, this->shared_from_this());
    if (!session) {
        close();
        return;
    }
    session_ = session;
    do_read();
}

template <class Stream> void WebSocketTransport<Stream>::do_read() {
    const std::size_t limit = std::max(kIdleReadBuffer, buffer_.size());
    ws_.async_read_some(buffer_, limit,
                        [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
                            self->on_read(ec, n);
                        });
}

template <class Stream>
void WebSocketTransport<Stream>::on_read(boost::system::error_code ec, std::size_t) {
    if (ec) {
        // Closed by the peer, reset, oversized message or a protocol error:
        // this connection ends, the server carries on.
        return report_closed();
    }
    if (!ws_.is_message_done())
        return do_read(); // the rest of a message larger than the last piece
    // After a close frame went out, Beast wants reading to go on until the
    // peer's close frame ends the read; data read meanwhile is dropped.
    auto session = close_wanted_ ? nullptr : session_.lock();
    if (session) {
        const auto data = buffer_.cdata();
        session->on_ws_message(this, {static_cast<const char*>(data.data()), data.size()},
                               !ws_.got_text());
    } else {
        close();
    }
    buffer_.consume(buffer_.size());
    if (buffer_.capacity() > kIdleReadBuffer)
        buffer_.shrink_to_fit();
    do_read();
}

template <class Stream> void WebSocketTransport<Stream>::write(FramePtr frame) {
    if (close_wanted_) {
        // Keep the session's bookkeeping going; nothing more is sent.
        if (auto s = session_.lock())
            s->on_written(this, false);
        return;
    }
    writing_ = std::move(frame);
    ws_.text(!writing_->binary);
    ws_.async_write(boost::asio::buffer(writing_->bytes),
                    [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                        self->on_write(ec);
                    });
}

template <class Stream> void WebSocketTransport<Stream>::on_write(boost::system::error_code ec) {
    writing_.reset();
    if (close_wanted_) {
        do_close();
        return;
    }
    if (auto s = session_.lock())
        s->on_written(this, !ec);
}

template <class Stream> void WebSocketTransport<Stream>::close() {
    if (close_wanted_)
        return;
    close_wanted_ = true;
    // Beast allows one write-type operation at a time; a pending write
    // finishes first and starts the close from on_write.
    if (!writing_)
        do_close();
}

template <class Stream> void WebSocketTransport<Stream>::do_close() {
    if (close_started_)
        return;
    close_started_ = true;
    if (!ws_.is_open())
        return;
    ws_.async_close(websocket::close_code::normal,
                    [self = this->shared_from_this()](boost::system::error_code) {});
}

template <class Stream> void WebSocketTransport<Stream>::report_closed() {
    if (reported_closed_)
        return;
    reported_closed_ = true;
    if (auto s = session_.lock())
        s->on_ws_closed(this);
}

template class WebSocketTransport<beast::tcp_stream>;
template class WebSocketTransport<beast::ssl_stream<beast::tcp_stream>>;

} // namespace fc::engineio
