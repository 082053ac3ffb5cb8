// One HTTP/1.1 connection (plain or TLS): reads requests, hands each to
// the router, writes the answers in order, and hands the stream over to
// the WebSocket transport on an upgrade.
#pragma once

#include "server/http/router.hpp"
#include "server/http/types.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace fc::http {

template <class Stream>
class Connection final : public Responder, public std::enable_shared_from_this<Connection<Stream>> {
public:
    Connection(Stream&& stream, Router& router, std::string remote);

    void run();
    void send(Response res) override;

private:
    void do_read();
    void on_header(boost::system::error_code ec);
    void on_read(boost::system::error_code ec);
    void give_back();
    void on_write(boost::system::error_code ec, bool close);
    // Answers a request that could not be read (too large) and closes.
    void refuse(beast_http::status status, std::string_view body);
    void do_close();
    // Drops what the client still sends after our last answer (plain TCP).
    void linger(std::size_t dropped);

    Stream stream_;
    Router& router_;
    std::string remote_;
    boost::beast::flat_buffer buffer_;
    std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
    std::shared_ptr<Response> writing_;
    std::size_t charged_ = 0; // the body's bytes taken from the memory budget
};

using PlainConnection = Connection<boost::beast::tcp_stream>;
using TlsConnection = Connection<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

extern template class Connection<boost::beast::tcp_stream>;
extern template class Connection<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

} // namespace fc::http
