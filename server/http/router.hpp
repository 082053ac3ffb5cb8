// Routes each HTTP request: the Engine.IO endpoints (polling and WebSocket
// upgrades), health, metrics, ICE servers, QR codes, and the web app.
// Adds the security headers every response carries.
#pragma once

#include "server/http/cors.hpp"
#include "server/http/ice_servers.hpp"
#include "server/http/metrics.hpp"
#include "server/http/static_files.hpp"
#include "server/http/types.hpp"
#include "server/rooms/rate_limiter.hpp"

#include <string>
#include <variant>

namespace fc::engineio {
class Server;
}

namespace fc::http {

struct RouterConfig {
    std::vector<std::string> cors_origins;
    // New Engine.IO sessions per client IP address.
    rooms::RateLimit connections_per_ip{1000, 200};
    IceConfig ice;
};

class Router {
public:
    // `test_engine` serves /engine.io/ in protocol test mode (else null).
    Router(RouterConfig config, engineio::Server& engine, engineio::Server* test_engine,
           const StaticFiles& files, Sources sources);

    // Largest request body accepted (polling POSTs up to maxPayload).
    std::size_t body_limit() const;

    void handle(Request req, const std::string& remote, const ResponderPtr& out);

    struct Upgrade {
        engineio::Server* engine;
        std::string query;
    };
    // A WebSocket upgrade request: where it goes, or the refusal to send.
    std::variant<Upgrade, Response> upgrade(const Request& req, const std::string& remote);

    HttpStats& stats() { return stats_; }

private:
    engineio::Server* engine_for(std::string_view path) const;
    std::optional<Response> refuse_engine_request(const Request& req, std::string_view query,
                                                  const std::string& remote);
    Response ice_servers(const Request& req, std::string_view query) const;
    Response qr(const Request& req, std::string_view query) const;

    RouterConfig config_;
    engineio::Server& engine_;
    engineio::Server* test_engine_;
    const StaticFiles& files_;
    Sources sources_;
    CorsPolicy cors_;
    rooms::KeyedRateLimiter per_ip_;
    HttpStats stats_;
};

// Content-Security-Policy and friends, on every response.
void add_security_headers(Response& res);
// A small response with a body and content type.
Response make_response(const Request& req, beast_http::status status, std::string_view type,
                       std::string body);

} // namespace fc::http
