#include "server/http/router.hpp"

#include "server/engineio/errors.hpp"
#include "server/engineio/query.hpp"
#include "server/engineio/server.hpp"
#include "server/engineio/session_id.hpp"
#include "server/http/qr.hpp"
#include "server/rooms/ids.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>

#include <stdexcept>

namespace fc::http {

namespace {

constexpr std::string_view kEnginePath = "/socket.io/";
constexpr std::string_view kTestEnginePath = "/engine.io/";
// Per-address rate limit tables past this size forget their idle buckets.
constexpr std::size_t kPruneAbove = 10000;

// The forwarder's bounds, from the engine's: a forwarded long poll may be
// held for pingInterval, a tunnel may be quiet for pingInterval +
// pingTimeout before the owner's heartbeat gives up; 10 s more on top.
ForwarderSettings forwarder_settings(const std::string& node_tag,
                                     const engineio::Settings& engine) {
    ForwarderSettings s;
    s.node_tag = node_tag;
    s.timeout = engine.ping_interval + engine.ping_timeout + std::chrono::seconds(10);
    s.max_response_bytes = 2 * engine.max_queued_bytes + engine.max_payload;
    return s;
}

// The engine's answer to a sid it does not know: the client reconnects.
Response unknown_session(const Request& req) {
    return make_response(req, beast_http::status::bad_request, "application/json",
                         engineio::error_body(engineio::RequestError::session_id_unknown));
}

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
      sources_(sources), cors_(config_.cors_origins, config_.tls), hosts_(config_.allowed_hosts),
      per_ip_(config_.connections_per_ip), qr_per_ip_(config_.qr_renders_per_ip),
      ice_per_ip_(config_.ice_requests_per_ip), qr_cache_(config_.qr_cache_entries) {
    sources_.http = &stats_;
    if (!config_.node_tag.empty()) {
        if (!engineio::valid_node_tag(config_.node_tag))
            throw std::invalid_argument("node tag must be 8 characters of A-Z a-z 0-9 _ -");
        if (config_.node_tag != engine_.settings().node_tag)
            throw std::invalid_argument("the router's node tag is not the engine's");
    }
    forwarder_ = std::make_unique<Forwarder>(
        engine_.executor(), forwarder_settings(config_.node_tag, engine_.settings()));
    sources_.forward = &forwarder_->stats();
}

std::string Router::foreign_tag(const Request& req, std::string_view query) const {
    if (config_.node_tag.empty() || !config_.locate_node)
        return {};
    // The loop guard: one hop at most, even if two nodes disagree about
    // where a tag lives.
    if (req.count(kForwardedHeader) != 0)
        return {};
    const auto q = engineio::parse_query(query);
    if (!q || !q->has_sid)
        return {};
    const auto tag = engineio::node_tag_of(q->sid, config_.node_tag.size());
    if (tag.empty() || tag == config_.node_tag || engine_.has_session(q->sid))
        return {};
    return std::string(tag);
}

std::optional<boost::asio::ip::tcp::endpoint>
Router::owner_elsewhere(const Request& req, std::string_view query) const {
    const auto tag = foreign_tag(req, query);
    if (tag.empty())
        return std::nullopt;
    return config_.locate_node(tag);
}

void Router::forward(Request req, const boost::asio::ip::tcp::endpoint& owner,
                     const std::string& remote, const ResponderPtr& out) {
    // What the engine answers for a sid it does not know, so a client
    // whose owner is gone reconnects.
    auto failure = unknown_session(req);
    cors_.decorate(req, failure);
    add_security_headers(failure);
    forwarder_->forward(std::move(req), owner, remote, out, std::move(failure));
}

void Router::handle_polling(engineio::Server& engine, Request req, std::string_view query,
                            const std::string& remote, const ResponderPtr& out) {
    const std::string body = std::move(req.body());
    req.body().clear();
    auto exchange = std::make_shared<EngineExchange>(out, cors_, req);
    engine.handle_polling(req.method(), query, body, remote, exchange);
}

engineio::MemoryBudget& Router::budget() {
    return engine_.budget();
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

bool Router::take(rooms::KeyedRateLimiter& limiter, const std::string& remote) {
    const auto now = rooms::Clock::now();
    const bool ok = limiter.take(remote, now);
    if (limiter.size() > kPruneAbove)
        limiter.prune(now);
    return ok;
}

// DNS rebinding: a page on evil.example re-points evil.example at this
// server; its requests then carry "Host: evil.example" and an Origin that
// matches it, so CORS alone would call them same-origin. Only hosts that
// cannot be re-pointed (IP literals, localhost) or that the operator
// declared reach the signaling endpoints. The web app's files and QR codes
// stay open to any Host: they are public, the same for every caller, and
// change no state; /healthz and /metrics are scraped by whatever name a
// monitoring system uses and reveal only counts.
std::optional<Response> Router::refuse_host(const Request& req) {
    if (hosts_.allowed(req[beast_http::field::host]))
        return std::nullopt;
    ++stats_.forbidden_hosts;
    auto res = make_response(req, beast_http::status::forbidden, "application/json",
                             R"({"code":4,"message":"Host not allowed, see --allowed-hosts"})");
    return res;
}

std::optional<Response> Router::refuse_engine_request(const Request& req, std::string_view query,
                                                      const std::string& remote) {
    if (auto refusal = refuse_host(req))
        return refusal;
    if (!cors_.allowed(req)) {
        ++stats_.forbidden_origins;
        auto res = make_response(req, beast_http::status::forbidden, "application/json",
                                 engineio::error_body(engineio::RequestError::forbidden));
        return res;
    }
    // A flood guard on new sessions per address: any request the engine
    // would take as a handshake (no sid, as its own query parser reads it;
    // a query that does not parse is refused by the engine anyway).
    const auto q = engineio::parse_query(query);
    const bool handshake = !q || !q->has_sid;
    if (handshake && !take(per_ip_, remote)) {
        ++stats_.rate_limited_connections;
        return make_response(
            req, beast_http::status::too_many_requests, "application/json",
            R"({"code":4,"message":"Too many new connections from this address"})");
    }
    return std::nullopt;
}

void Router::handle(Request req, const std::string& remote, const ResponderPtr& out) {
    ++stats_.requests;
    const auto [path, query] = split_target(req.target());

    if (auto* engine = engine_for(path)) {
        if (req.method() == beast_http::verb::options) {
            auto res = refuse_host(req);
            if (!res) {
                if (!cors_.allowed(req))
                    ++stats_.forbidden_origins;
                res = cors_.preflight(req);
            }
            add_security_headers(*res);
            return out->send(std::move(*res));
        }
        if (auto refusal = refuse_engine_request(req, query, remote)) {
            add_security_headers(*refusal);
            return out->send(std::move(*refusal));
        }
        // Whatever the method: the owner answers it as it would its own
        // (a PUT is a bad request there, not an unknown session here).
        if (engine == &engine_) {
            if (const auto tag = foreign_tag(req, query); !tag.empty()) {
                if (auto owner = config_.locate_node(tag))
                    return forward(std::move(req), *owner, remote, out);
                if (config_.find_node) {
                    // A node not heard of yet: asked of the cluster, then
                    // forwarded, or answered here as an unknown session.
                    auto held = std::make_shared<Request>(std::move(req));
                    config_.find_node(tag, [this, held, query = std::string(query), remote,
                                            out](std::optional<boost::asio::ip::tcp::endpoint> owner) {
                        if (owner)
                            return forward(std::move(*held), *owner, remote, out);
                        handle_polling(engine_, std::move(*held), query, remote, out);
                    });
                    return;
                }
            }
        }
        return handle_polling(*engine, std::move(req), query, remote, out);
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
        if (auto refusal = refuse_host(req))
            res = std::move(*refusal);
        else
            return ice_servers(req, query, remote, out);
    } else if (path == "/qr.svg" && get) {
        res = qr(req, query, remote);
    } else {
        res = files_.serve(req, path);
    }
    add_security_headers(res);
    if (req.method() == beast_http::verb::head)
        res.body().clear(); // Content-Length stays that of the GET
    out->send(std::move(res));
}

void Router::ice_servers(const Request& req, std::string_view query, const std::string& remote,
                         const ResponderPtr& out) {
    const bool head = req.method() == beast_http::verb::head;
    const auto send = [head, out](Response res) {
        add_security_headers(res);
        if (head)
            res.body().clear(); // Content-Length stays that of the GET
        out->send(std::move(res));
    };
    // Counted before anything else: every call may test a resume token.
    if (!take(ice_per_ip_, remote)) {
        ++stats_.rate_limited_ice_servers;
        auto res = make_response(req, beast_http::status::too_many_requests, "application/json",
                                 R"({"error":"too many requests from this address"})");
        res.set(beast_http::field::retry_after, "1");
        return send(std::move(res));
    }
    // The id ends up in the TURN username: the contract's rule keeps
    // separators and control characters out of it.
    const std::string client = query_param(query, "clientId");
    if (!rooms::valid_client_id(client))
        return send(make_response(req, beast_http::status::bad_request, "application/json",
                             R"({"error":"clientId must be 8-64 of A-Z a-z 0-9 _ -"})"));
    const std::string room = query_param(query, "roomId");
    if (!room.empty() && !rooms::valid_room_id(room))
        return send(make_response(req, beast_http::status::bad_request, "application/json",
                             R"({"error":"invalid roomId"})"));
    // The resume token proves a seat; it rides in a header, never in the
    // URL, where proxies and access logs would keep it.
    if (!query_param(query, "resumeToken").empty())
        return send(make_response(
            req, beast_http::status::bad_request, "application/json",
            R"({"error":"send the resume token as Authorization: Bearer <token>, not in the URL"})"));
    std::string_view token;
    if (const auto auth = req[beast_http::field::authorization]; !auth.empty()) {
        constexpr std::string_view kBearer = "Bearer ";
        if (!auth.starts_with(kBearer) ||
            !rooms::valid_resume_token(auth.substr(kBearer.size())))
            return send(make_response(req, beast_http::status::bad_request, "application/json",
                                 R"({"error":"invalid resume token"})"));
        token = auth.substr(kBearer.size());
    }
    // TURN relays cost the operator bandwidth: credentials only for a
    // caller who proves a seat in a room. STUN servers are public anyway.
    auto answer = [this, req, client, send](bool member) {
        boost::json::object o;
        o["iceServers"] = member ? ice_servers_json(config_.ice, client,
                                                    std::chrono::system_clock::now())
                                 : stun_servers_json(config_.ice);
        send(make_response(req, beast_http::status::ok, "application/json",
                           boost::json::serialize(o)));
    };
    if (room.empty() || token.empty() || !config_.is_member)
        return answer(false);
    config_.is_member(room, client, token, std::move(answer));
}

static_assert(kMaxQrText == 512, "the 400 answers of /qr.svg name the limit");

Response Router::qr(const Request& req, std::string_view query, const std::string& remote) {
    const std::string text = query_param(query, "text");
    if (text.empty() || text.size() > kMaxQrText)
        return make_response(req, beast_http::status::bad_request, "application/json",
                             R"({"error":"text must be 1-512 bytes"})");
    auto answer = [&](std::string svg) {
        auto res = make_response(req, beast_http::status::ok, "image/svg+xml", std::move(svg));
        res.set(beast_http::field::cache_control, "public, max-age=3600");
        return res;
    };
    if (const std::string* hit = qr_cache_.find(text)) {
        ++stats_.qr_cache_hits;
        return answer(*hit);
    }
    // Only renders cost the loop, so only they count against the limit.
    if (!take(qr_per_ip_, remote)) {
        ++stats_.qr_rate_limited;
        auto res = make_response(req, beast_http::status::too_many_requests, "application/json",
                                 R"({"error":"too many QR codes from this address"})");
        res.set(beast_http::field::retry_after, "1");
        return res;
    }
    auto svg = qr_svg(text);
    if (!svg)
        return make_response(req, beast_http::status::bad_request, "application/json",
                             R"({"error":"text must be 1-512 bytes"})");
    ++stats_.qr_renders;
    qr_cache_.put(text, *svg);
    return answer(std::move(*svg));
}

std::variant<Router::Upgrade, Response, Router::Forward>
Router::upgrade(const Request& req, const std::string& remote) {
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
    if (engine == &engine_) {
        if (auto owner = owner_elsewhere(req, query)) {
            auto failure = unknown_session(req);
            add_security_headers(failure);
            failure.keep_alive(false);
            return Forward{*owner, std::move(failure)};
        }
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
