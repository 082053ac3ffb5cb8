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
    // "*" in the list allows every origin.
    explicit CorsPolicy(std::vector<std::string> origins) : origins_(std::move(origins)) {}

    // No Origin header (native clients, same-origin GETs), the server's own
    // origin (Host header), or a listed one.
    bool allowed(const Request& req) const;
    // Adds Access-Control-Allow-* to a response for an allowed origin.
    void decorate(const Request& req, Response& res) const;
    // The answer to an OPTIONS preflight.
    Response preflight(const Request& req) const;

private:
    std::vector<std::string> origins_;
};

} // namespace fc::http
