// The WebSocket transport: one Beast WebSocket stream carrying Engine.IO
// packets, one per frame (text frames for text packets, binary frames for
// binary messages). Templated on the stream so TLS and plain TCP share it.
#pragma once

#include "server/engineio/server.hpp"
#include "server/engineio/transport.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <memory>
#include <string>

namespace fc::engineio {

template <class Stream>
class WebSocketTransport final : public WebSocketLink,
                                 public std::enable_shared_from_this<WebSocketTransport<Stream>> {
public:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;

    WebSocketTransport(Stream&& stream, Server& server);

    // Runs the WebSocket handshake, then opens or upgrades a session.
    void accept(Request req, std::string query, std::string remote_address);

    void write(FramePtr frame) override;
    void close() override;

private:
    void on_accept(boost::system::error_code ec, const std::string& query,
                   const std::string& remote_address);
    void do_read();
    void on_read(boost::system::error_code ec, std::size_t bytes);
    void on_write(boost::system::error_code ec);
    void do_close();
    void report_closed();

    boost::beast::websocket::stream<Stream> ws_;
    Server& server_;
    boost::beast::flat_buffer buffer_;
    std::weak_ptr<Session> session_;
    FramePtr writing_;
    bool close_wanted_ = false;
    bool close_started_ = false;
    bool reported_closed_ = false;
};

extern template class WebSocketTransport<boost::beast::tcp_stream>;
extern template class WebSocketTransport<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

} // namespace fc::engineio
