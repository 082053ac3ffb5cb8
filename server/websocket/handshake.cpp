#include "server/websocket/handshake.hpp"

#include <boost/beast/http/rfc7230.hpp>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>

namespace fc::websocket {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

bool has_token(std::string_view list, std::string_view token) {
    for (auto t : http::token_list(list))
        if (iequals(t, token))
            return true;
    return false;
}

bool valid_key(std::string_view key) {
    // Base64 of 16 bytes: 22 characters and "==".
    if (key.size() != 24 || key.substr(22) != "==")
        return false;
    std::array<unsigned char, 18> out{};
    return EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(key.data()),
                           static_cast<int>(key.size())) == 18;
}

} // namespace

HandshakeError check_request(const http::request_header<>& req) {
    if (req.method() != http::verb::get)
        return HandshakeError::bad_method;
    if (req.version() < 11)
        return HandshakeError::bad_version;
    if (!has_token(req[http::field::upgrade], "websocket"))
        return HandshakeError::no_upgrade;
    if (!has_token(req[http::field::connection], "upgrade"))
        return HandshakeError::no_connection;
    if (req[http::field::sec_websocket_version] != "13")
        return HandshakeError::bad_ws_version;
    if (!valid_key(req[http::field::sec_websocket_key]))
        return HandshakeError::bad_key;
    return HandshakeError::none;
}

std::string accept_key(std::string_view key) {
    std::string input(key);
    input += kGuid;
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
    std::string out(4 * ((SHA_DIGEST_LENGTH + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest,
                                  SHA_DIGEST_LENGTH);
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string accept_response(const http::request_header<>& req) {
    std::string out = "HTTP/1.1 101 Switching Protocols\r\n"
                      "Upgrade: websocket\r\n"
                      "Connection: Upgrade\r\n"
                      "Server: festival-chat-server\r\n"
                      "Sec-WebSocket-Accept: ";
    out += accept_key(req[http::field::sec_websocket_key]);
    out += "\r\n\r\n";
    return out;
}

std::string reject_response(HandshakeError e) {
    const bool version = e == HandshakeError::bad_ws_version;
    std::string body = describe(e);
    std::string out = version ? "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n"
                              : "HTTP/1.1 400 Bad Request\r\n";
    out += "Server: festival-chat-server\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "Connection: close\r\n"
           "Content-Length: ";
    out += std::to_string(body.size());
    out += "\r\n\r\n";
    out += body;
    return out;
}

const char* describe(HandshakeError e) {
    switch (e) {
    case HandshakeError::none:
        return "ok";
    case HandshakeError::bad_method:
        return "WebSocket upgrade must be a GET";
    case HandshakeError::bad_version:
        return "WebSocket upgrade needs HTTP/1.1";
    case HandshakeError::no_upgrade:
        return "missing Upgrade: websocket";
    case HandshakeError::no_connection:
        return "missing Connection: upgrade";
    case HandshakeError::bad_ws_version:
        return "unsupported Sec-WebSocket-Version (13 is supported)";
    case HandshakeError::bad_key:
        return "invalid Sec-WebSocket-Key";
    }
    return "bad WebSocket upgrade";
}

} // namespace fc::websocket
