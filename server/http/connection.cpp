#include "server/http/connection.hpp"

#include "server/engineio/websocket_transport.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

namespace fc::http {

namespace beast = boost::beast;
using tcp = boost::asio::ip::tcp;

namespace {
// A request must arrive in this time (slow-loris guard); a held
// long-polling GET has no deadline of its own, the heartbeat bounds it.
constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

template <class Stream> constexpr bool is_tls() {
    return std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>;
}
} // namespace

template <class Stream>
Connection<Stream>::Connection(Stream&& stream, Router& router, std::string remote)
    : stream_(std::move(stream)), router_(router), remote_(std::move(remote)) {}

template <class Stream> void Connection<Stream>::run() {
    if constexpr (is_tls<Stream>()) {
        beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
        stream_.async_handshake(boost::asio::ssl::stream_base::server,
                                [self = this->shared_from_this()](boost::system::error_code ec) {
                                    if (!ec)
                                        self->do_read();
                                });
    } else {
        do_read();
    }
}

template <class Stream> void Connection<Stream>::do_read() {
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(router_.body_limit());
    beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
    beast_http::async_read(stream_, buffer_, *parser_,
                           [self = this->shared_from_this()](boost::system::error_code ec,
                                                             std::size_t) { self->on_read(ec); });
}

template <class Stream> void Connection<Stream>::on_read(boost::system::error_code ec) {
    if (ec == beast_http::error::end_of_stream)
        return do_close();
    if (ec == beast_http::error::body_limit) {
        // Answer instead of dropping silently: the client learns why.
        Request head;
        head.version(11);
        head.keep_alive(false);
        auto res = make_response(head, beast_http::status::payload_too_large, "application/json",
                                 R"({"code":3,"message":"Payload too large"})");
        add_security_headers(res);
        return send(std::move(res));
    }
    if (ec)
        return; // reset, timeout or garbage: this connection ends
    beast::get_lowest_layer(stream_).expires_never();
    Request req = parser_->release();

    if (beast::websocket::is_upgrade(req)) {
        auto route = router_.upgrade(req, remote_);
        if (auto* res = std::get_if<Response>(&route))
            return send(std::move(*res));
        auto& up = std::get<Router::Upgrade>(route);
        if constexpr (is_tls<Stream>()) {
            auto ws = std::make_shared<engineio::WebSocketTransport<Stream>>(std::move(stream_),
                                                                            *up.engine);
            ws->accept(req, std::move(up.query), remote_);
        } else {
            // Plain TCP: the transport keeps the bare socket (no timers).
            auto ws = std::make_shared<engineio::WebSocketTransport<tcp::socket>>(
                stream_.release_socket(), *up.engine);
            ws->accept(req, std::move(up.query), remote_);
        }
        return; // the stream now belongs to the WebSocket transport
    }
    router_.handle(std::move(req), remote_, this->shared_from_this());
}

template <class Stream> void Connection<Stream>::send(Response res) {
    // Called from any handler on the io thread, possibly after the request
    // that asked for it was parked (long-polling).
    const bool close = res.need_eof();
    writing_ = std::make_shared<Response>(std::move(res));
    beast::get_lowest_layer(stream_).expires_after(kRequestTimeout);
    beast_http::async_write(
        stream_, *writing_,
        [self = this->shared_from_this(), close](boost::system::error_code ec, std::size_t) {
            self->on_write(ec, close);
        });
}

template <class Stream>
void Connection<Stream>::on_write(boost::system::error_code ec, bool close) {
    writing_.reset();
    if (ec)
        return;
    if (close)
        return do_close();
    do_read();
}

template <class Stream> void Connection<Stream>::do_close() {
    if constexpr (is_tls<Stream>()) {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
        stream_.async_shutdown([self = this->shared_from_this()](boost::system::error_code) {});
    } else {
        boost::system::error_code ec;
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    }
}

template class Connection<beast::tcp_stream>;
template class Connection<beast::ssl_stream<beast::tcp_stream>>;

} // namespace fc::http
