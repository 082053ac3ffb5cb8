// The server side of the WebSocket opening handshake (RFC 6455 section
// 4.2): checks an upgrade request and writes the 101 answer, or the
// error answer a client can understand.
#pragma once

#include <boost/beast/http/message.hpp>

#include <string>
#include <string_view>

namespace fc::websocket {

enum class HandshakeError {
    none,
    bad_method,     // not GET
    bad_version,    // not HTTP/1.1 or later
    no_upgrade,     // no "Upgrade: websocket"
    no_connection,  // "Connection" lacks the "upgrade" token
    bad_ws_version, // Sec-WebSocket-Version is not 13 (answered with 426)
    bad_key,        // Sec-WebSocket-Key is not base64 of 16 bytes
};

// What is wrong with an upgrade request, or none.
HandshakeError check_request(const boost::beast::http::request_header<>& req);

// Sec-WebSocket-Accept for a Sec-WebSocket-Key.
std::string accept_key(std::string_view key);

// The whole HTTP answer accepting `req` (which check_request passed).
std::string accept_response(const boost::beast::http::request_header<>& req);

// The whole HTTP answer refusing a request; the connection closes after it.
std::string reject_response(HandshakeError e);

const char* describe(HandshakeError e);

} // namespace fc::websocket
