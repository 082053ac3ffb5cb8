#include "server/http/connection.hpp"

#include "server/engineio/websocket_transport.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
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
// After answering and shutting down our side, unread request bytes are
// read and dropped for this long, or up to this much, before the socket
// closes (see do_close).
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kMaxLingerBytes = 1024 * 1024;

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
    beast_http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
            self->on_header(ec);
        });
}

template <class Stream> void Connection<Stream>::on_header(boost::system::error_code ec) {
    if (ec || parser_->is_done())
        return on_read(ec);
    // A body follows. What it may grow to is taken from the server's
    // memory budget before it is read (its input half beyond a small
    // per-connection floor: a thousand connections trickling large bodies
    // must neither crowd out what is sent to the phones nor stop their
    // ordinary small POSTs), and given back once the request was handled.
    const auto length = parser_->content_length();
    const std::size_t want = length ? static_cast<std::size_t>(*length) : router_.body_limit();
    if (want <= router_.body_limit()) {
        if (!router_.budget().take_input(want, want)) {
            ++router_.stats().over_budget;
            return refuse(beast_http::status::service_unavailable,
                          R"({"code":3,"message":"Server busy, try again"})");
        }
        charged_ = want;
    }
    // (A declared length over the limit is refused by the parser: 413. A
    // chunked body, of unknown length, is charged the limit.)
    beast_http::async_read(stream_, buffer_, *parser_,
                           [self = this->shared_from_this()](boost::system::error_code ec,
                                                             std::size_t) { self->on_read(ec); });
}

template <class Stream> void Connection<Stream>::give_back() {
    router_.budget().give_input(charged_);
    charged_ = 0;
}

template <class Stream> void Connection<Stream>::on_read(boost::system::error_code ec) {
    // Whatever happens next, the body is either gone or handled
    // synchronously below: its bytes go back to the budget after.
    struct GiveBack {
        Connection& c;
        ~GiveBack() { c.give_back(); }
    } give_back_after{*this};
    if (ec == beast_http::error::end_of_stream)
        return do_close();
    // Answer instead of dropping silently: the client learns why.
    if (ec == beast_http::error::body_limit)
        return refuse(beast_http::status::payload_too_large,
                      R"({"code":3,"message":"Payload too large"})");
    if (ec == beast_http::error::header_limit) {
        ++router_.stats().oversized_headers;
        return refuse(beast_http::status::request_header_fields_too_large,
                      R"({"code":3,"message":"Request header fields too large"})");
    }
    if (ec)
        return; // reset, timeout or garbage: this connection ends
    beast::get_lowest_layer(stream_).expires_never();
    Request req = parser_->release();

    if (beast::websocket::is_upgrade(req)) {
        auto route = router_.upgrade(req, remote_);
        if (auto* res = std::get_if<Response>(&route))
            return send(std::move(*res));
        if (auto* fwd = std::get_if<Router::Forward>(&route)) {
            // Another node owns the session: the stream (and anything the
            // client sent behind the request) goes to the tunnel there.
            std::string rest = beast::buffers_to_string(buffer_.data());
            buffer_.consume(buffer_.size());
            router_.forwarder().tunnel(std::move(stream_), std::move(req), remote_, fwd->owner,
                                       std::move(rest), std::move(fwd->on_failure));
            return;
        }
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

template <class Stream>
void Connection<Stream>::refuse(beast_http::status status, std::string_view body) {
    // The request could not be read whole, so nothing after it can be
    // found: answer and close (RFC 9110 §15.5.14, RFC 6585 §5).
    Request head;
    head.version(11);
    head.keep_alive(false);
    auto res = make_response(head, status, "application/json", std::string(body));
    add_security_headers(res);
    send(std::move(res));
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
        // RFC 9112 §9.6: closing a socket that still holds unread request
        // bytes (the rest of an oversized header or body) makes the kernel
        // send a reset, which can destroy our answer before the client
        // reads it. So read and drop until the client closes, bounded.
        beast::get_lowest_layer(stream_).expires_after(kLingerTimeout);
        linger(0);
    }
}

template <class Stream> void Connection<Stream>::linger(std::size_t dropped) {
    if constexpr (!is_tls<Stream>()) {
        buffer_.clear();
        stream_.async_read_some(buffer_.prepare(16 * 1024),
                                [self = this->shared_from_this(),
                                 dropped](boost::system::error_code ec, std::size_t n) {
                                    if (!ec && dropped + n < kMaxLingerBytes)
                                        self->linger(dropped + n);
                                });
    }
}

template class Connection<beast::tcp_stream>;
template class Connection<beast::ssl_stream<beast::tcp_stream>>;

} // namespace fc::http
