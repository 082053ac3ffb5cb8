// Cross-origin policy for the signaling endpoints: the web app may be
// hosted apart from the signaling server, so polling requests and
// WebSocket upgrades from listed origins are allowed; others are refused
// (which also stops cross-site WebSocket hijacking).
#pragma once

#include "server/http/types.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace fc::http {

class CorsPolicy {
public:
    // How a request's Origin relates to this server.
    enum class Match {
        no_origin, // native clients, same-origin GETs
        same,      // this server's own origin (scheme, Host)
        listed,    // named in --cors-origin
        wildcard,  // only admitted by "*" in --cors-origin
        refused,
    };

    // `origins`: listed origins, "*" admitting any. `tls`: whether this
    // server speaks TLS, which decides the scheme of its own origin.
    CorsPolicy(std::vector<std::string> origins, bool tls);

    Match match(const Request& req) const;
    bool allowed(const Request& req) const { return match(req) != Match::refused; }
    // Adds Access-Control-Allow-* for an allowed Origin, nothing otherwise.
    // Credentials only for our own and listed origins: "*" admits pages
    // the operator never saw, and they must not ride on a user's cookies
    // or HTTP auth (a proxy in front of us may rely on either).
    void decorate(const Request& req, Response& res) const;
    // The answer to an OPTIONS preflight: 204 with the CORS headers for
    // an allowed Origin, 403 without them for any other.
    Response preflight(const Request& req) const;

private:
    std::vector<std::string> origins_;
    bool any_ = false;
    bool tls_;
};

// Whether `origin` (an Origin header) is exactly this server's origin:
// the scheme it serves and the authority it was reached at (`host`, the
// Host header), compared without case, nothing more and nothing less.
bool same_origin(std::string_view origin, std::string_view host, bool tls);

// The origin ("https://chat.example.org:8443") of an absolute http(s)
// URL, for --public-url; empty if it is not one.
std::string url_origin(std::string_view url);

} // namespace fc::http
