#include "server/websocket/handshake.hpp"

#include <gtest/gtest.h>

using namespace fc::websocket;
namespace http = boost::beast::http;

namespace {
http::request_header<> upgrade_request() {
    http::request_header<> req;
    req.method(http::verb::get);
    req.target("/socket.io/?EIO=4&transport=websocket");
    req.version(11);
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "keep-alive, Upgrade");
    req.set(http::field::sec_websocket_version, "13");
    req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    return req;
}
} // namespace

TEST(WebSocketHandshake, ComputesTheRfcExampleAcceptKey) {
    // RFC 6455 section 1.3.
    EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketHandshake, AcceptsABrowserUpgrade) {
    auto req = upgrade_request();
    EXPECT_EQ(check_request(req), HandshakeError::none);
    const std::string res = accept_response(req);
    EXPECT_EQ(res.rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
    EXPECT_NE(res.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), std::string::npos);
    EXPECT_EQ(res.substr(res.size() - 4), "\r\n\r\n");
}

TEST(WebSocketHandshake, RefusesBadRequestsWithAReason) {
    auto req = upgrade_request();
    req.method(http::verb::post);
    EXPECT_EQ(check_request(req), HandshakeError::bad_method);

    req = upgrade_request();
    req.set(http::field::sec_websocket_version, "8");
    EXPECT_EQ(check_request(req), HandshakeError::bad_ws_version);
    const std::string res = reject_response(HandshakeError::bad_ws_version);
    EXPECT_EQ(res.rfind("HTTP/1.1 426", 0), 0u);
    EXPECT_NE(res.find("Sec-WebSocket-Version: 13"), std::string::npos);

    req = upgrade_request();
    req.set(http::field::sec_websocket_key, "short");
    EXPECT_EQ(check_request(req), HandshakeError::bad_key);
    EXPECT_EQ(reject_response(HandshakeError::bad_key).rfind("HTTP/1.1 400", 0), 0u);

    req = upgrade_request();
    req.set(http::field::connection, "keep-alive");
    EXPECT_EQ(check_request(req), HandshakeError::no_connection);

    req = upgrade_request();
    req.erase(http::field::upgrade);
    EXPECT_EQ(check_request(req), HandshakeError::no_upgrade);

    req = upgrade_request();
    req.version(10);
    EXPECT_EQ(check_request(req), HandshakeError::bad_version);
}
