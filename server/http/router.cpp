#include "server/http/router.hpp"

#include "server/engineio/errors.hpp"
#include "server/engineio/server.hpp"
#include "server/http/qr.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

namespace fc::http {

namespace {

constexpr std::string_view kEnginePath = "/socket.io/";
constexpr std::string_view kTestEnginePath = "/engine.io/";

// Splits a request target into path and query.
std::pair<std::string_view, std::string_view> split_target(std::string_view target) {
    const auto q = target.find('?');
    if (q == std::string_view::npos)
        return {target, {}};
    return {target.substr(0, q), target.substr(q + 1)};
}

std::string query_param(std::string_view query, std::string_view key) {
    // A terminated copy: Boost.URL 1.81's parse_query reads up to a NUL.
    const std::string terminated(query);
    auto params = boost::urls::parse_query(terminated);
    if (!params)
        return {};
    for (const auto& p : *params)
        if (p.key == key && p.has_value) {
            std::string v;
            p.value.decode({}, boost::urls::string_token::assign_to(v));
            return v;
        }
    return {};
}

// Answers an Engine.IO polling request through the connection, with the
// CORS headers its origin needs.
class EngineExchange final : public engineio::PollExchange {
public:
    EngineExchange(ResponderPtr out, const CorsPolicy& cors, Request head)
        : out_(std::move(out)), cors_(cors), head_(std::move(head)) {}

    void respond(unsigned status, std::string_view type, std::string body) override {
        Response res =
            make_response(head_, static_cast<beast_http::status>(status), type, std::move(body));
        cors_.decorate(head_, res);
        add_security_headers(res);
        out_->send(std::move(res));
    }

private:
    ResponderPtr out_;
    const CorsPolicy& cors_;
    Request head_; // headers only: origin, host, version, keep-alive
};

} // namespace

void add_security_headers(Response& res) {
    res.set(beast_http::field::server, "festival-chat-server");
    // Room links carry the room: never leak them to other sites.
    res.set("Referrer-Policy", "no-referrer");
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Cross-Origin-Opener-Policy", "same-origin");
    // The app talks to its own origin (HTTP and WebSocket) by default; a
    // signaling server elsewhere is reached over https:/wss:. Camera for
    // QR scanning only.
    res.set("Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; connect-src 'self' ws: wss: https:; "
            "media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'");
    res.set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()");
}

Response make_response(const Request& req, beast_http::status status, std::string_view type,
                       std::string body) {
    Response res{status, req.version()};
    res.set(beast_http::field::content_type, type);
    res.set(beast_http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

Router::Router(RouterConfig config, engineio::Server& engine, engineio::Server* test_engine,
               const StaticFiles& files, Sources sources)
    : config_(std::move(config)), engine_(engine), test_engine_(test_engine), files_(files),
      sources_(sources), cors_(config_.cors_origins), per_ip_(config_.connections_per_ip) {
    sources_.http = &stats_;
}

std::size_t Router::body_limit() const {
    std::size_t limit = engine_.settings().max_payload;
    if (test_engine_)
        limit = std::max(limit, test_engine_->settings().max_payload);
    return limit + 1; // one more byte so an oversized body is seen as such
}

engineio::Server* Router::engine_for(std::string_view path) const {
    if (path == kEnginePath || path == kEnginePath.substr(0, kEnginePath.size() - 1))
        return &engine_;
    if (test_engine_ &&
        (path == kTestEnginePath || path == kTestEnginePath.substr(0, kTestEnginePath.size() - 1)))
        return test_engine_;
    return nullptr;
}

std::optional<Response> Router::refuse_engine_request(const Request& req, std::string_view query,
                                                      const std::string& remote) {
    if (!cors_.allowed(req)) {
        ++stats_.forbidden_origins;
        auto res = make_response(req, beast_http::status::forbidden, "application/json",
                                 engineio::error_body(engineio::RequestError::forbidden));
        return res;
    }
    // A flood guard on new sessions per address (the sid-less handshake).
    if (query.find("sid=") == std::string_view::npos) {
        const auto now = rooms::Clock::now();
        if (!per_ip_.take(remote, now)) {
            ++stats_.rate_limited_connections;
            return make_response(
                req, beast_http::status::too_many_requests, "application/json",
                R"({"code":4,"message":"Too many new connections from this address"})");
        }
        if (per_ip_.size() > 10000)
            per_ip_.prune(now);
    }
    return std::nullopt;
}

void Router::handle(Request req, const std::string& remote, const ResponderPtr& out) {
    ++stats_.requests;
    const auto [path, query] = split_target(req.target());

    if (auto* engine = engine_for(path)) {
        if (req.method() == beast_http::verb::options) {
            auto res = cors_.preflight(req);
            add_security_headers(res);
            return out->send(std::move(res));
        }
        if (auto refusal = refuse_engine_request(req, query, remote)) {
            add_security_headers(*refusal);
            return out->send(std::move(*refusal));
        }
        const std::string body = std::move(req.body());
        req.body().clear();
        auto exchange = std::make_shared<EngineExchange>(out, cors_, req);
        engine->handle_polling(req.method(), query, body, remote, exchange);
        return;
    }

    Response res;
    const bool get =
        req.method() == beast_http::verb::get || req.method() == beast_http::verb::head;
    if (path == "/healthz" && get) {
        res = make_response(req, beast_http::status::ok, "application/json", health_json(sources_));
    } else if (path == "/metrics" && get) {
        res = make_response(req, beast_http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                            prometheus_text(sources_));
    } else if (path == "/api/ice-servers" && get) {
        res = ice_servers(req, query);
    } else if (path == "/qr.svg" && get) {
        res = qr(req, query);
    } else {
        res = files_.serve(req, path);
    }
    add_security_headers(res);
    if (req.method() == beast_http::verb::head)
        res.body().clear(); // Content-Length stays that of the GET
    out->send(std::move(res));
}

Response Router::ice_servers(const Request& req, std::string_view query) const {
    std::string client = query_param(query, "clientId");
    if (client.empty() || client.size() > 64)
        client = "anonymous";
    boost::json::object o;
    o["iceServers"] = ice_servers_json(config_.ice, client, std::chrono::system_clock::now());
    return make_response(req, beast_http::status::ok, "application/json",
                         boost::json::serialize(o));
}

Response Router::qr(const Request& req, std::string_view query) const {
    auto svg = qr_svg(query_param(query, "text"));
    if (!svg)
        return make_response(req, beast_http::status::bad_request, "application/json",
                             R"({"error":"text must be 1-1024 bytes"})");
    auto res = make_response(req, beast_http::status::ok, "image/svg+xml", std::move(*svg));
    res.set(beast_http::field::cache_control, "public, max-age=3600");
    return res;
}

std::variant<Router::Upgrade, Response> Router::upgrade(const Request& req,
                                                        const std::string& remote) {
    ++stats_.requests;
    const auto [path, query] = split_target(req.target());
    auto* engine = engine_for(path);
    if (!engine) {
        auto res = make_response(req, beast_http::status::not_found, "text/plain", "Not found\n");
        add_security_headers(res);
        return res;
    }
    if (auto refusal = refuse_engine_request(req, query, remote)) {
        add_security_headers(*refusal);
        return std::move(*refusal);
    }
    if (auto e = engine->check_websocket(query)) {
        ++engine->stats().bad_requests;
        auto res = make_response(req, beast_http::status::bad_request, "application/json",
                                 engineio::error_body(*e));
        add_security_headers(res);
        return res;
    }
    return Upgrade{engine, std::string(query)};
}

} // namespace fc::http
