// Routes each HTTP request: the Engine.IO endpoints (polling and WebSocket
// upgrades), health, metrics, ICE servers, QR codes, and the web app.
// Adds the security headers every response carries.
#pragma once

#include "server/http/cors.hpp"
#include "server/http/forwarder.hpp"
#include "server/http/host_policy.hpp"
#include "server/http/ice_servers.hpp"
#include "server/http/metrics.hpp"
#include "server/http/qr_cache.hpp"
#include "server/http/static_files.hpp"
#include "server/http/types.hpp"
#include "server/rooms/rate_limiter.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace fc::engineio {
class MemoryBudget;
class Server;
}

namespace fc::http {

// Whether a caller holds a seat in a room: its client id and the secret
// resume token it sent with join-room. Called on the io thread; answers
// through `answer`, at once or later (in a cluster the seat may be on
// another node, and Redis is asked), exactly once.
using MembershipCheck =
    std::function<void(std::string_view room_id, std::string_view client_id,
                       std::string_view resume_token, std::function<void(bool)> answer)>;

struct RouterConfig {
    std::vector<std::string> cors_origins;
    // This server speaks TLS: its own origin is https://, else http://.
    bool tls = false;
    // Host names the signaling endpoints answer besides IP literals and
    // localhost (--allowed-hosts and the host of --public-url); "*": any.
    std::vector<std::string> allowed_hosts;
    // New Engine.IO sessions per client IP address.
    rooms::RateLimit connections_per_ip{1000, 200};
    // QR renders (cache misses only) per client IP address. A phone asks
    // for its own room's code once (browsers keep it an hour), so a burst
    // of 20 then 2/s serves even a NAT full of phones opening new rooms,
    // while a flood of distinct 512-byte texts costs the loop at most
    // ~16 ms per second per address (see kMaxQrText).
    rooms::RateLimit qr_renders_per_ip{20, 2};
    // /api/ice-servers calls per client IP address. The web app never calls
    // it (joins carry the list); other clients call it once per call set-up.
    // The limit also bounds guesses at a member's resume token.
    rooms::RateLimit ice_requests_per_ip{20, 2};
    std::size_t qr_cache_entries = QrCache::kDefaultCapacity;
    IceConfig ice;
    // Who gets TURN credentials from /api/ice-servers; null: nobody.
    MembershipCheck is_member;
    // In a cluster: this node's tag, the engine's Settings::node_tag (the
    // Router refuses another at construction). Empty: one node, nothing is
    // ever forwarded.
    std::string node_tag;
    // Where the node with a tag takes requests forwarded to it (its own
    // address, not the shared public one), or nothing if no such node is
    // known. Called on the io thread, for requests naming a session of
    // another node. Null: nothing is forwarded.
    std::function<std::optional<boost::asio::ip::tcp::endpoint>(std::string_view node_tag)>
        locate_node;
    // When locate_node knows no such node: asks further (the cluster's
    // store; a node started a moment ago may not have been heard of yet)
    // and answers through the callback, at once or later, exactly once, on
    // the io thread. Used for polling requests; null: a miss is final.
    std::function<void(std::string_view node_tag,
                       std::function<void(std::optional<boost::asio::ip::tcp::endpoint>)>)>
        find_node;
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
    // An upgrade for a session another node owns: tunnel it there
    // (Forwarder::tunnel), answering `on_failure` if the owner is gone.
    struct Forward {
        boost::asio::ip::tcp::endpoint owner;
        Response on_failure;
    };
    // A WebSocket upgrade request: where it goes, or the refusal to send.
    std::variant<Upgrade, Response, Forward> upgrade(const Request& req, const std::string& remote);

    Forwarder& forwarder() { return *forwarder_; }
    const ForwardStats& forward_stats() const { return forwarder_->stats(); }

    HttpStats& stats() { return stats_; }
    // The engine's memory budget, which request bodies count against too.
    engineio::MemoryBudget& budget();

private:
    engineio::Server* engine_for(std::string_view path) const;
    // The 403 for a Host that is not ours (DNS rebinding), else nothing.
    std::optional<Response> refuse_host(const Request& req);
    std::optional<Response> refuse_engine_request(const Request& req, std::string_view query,
                                                  const std::string& remote);
    // The node owning the session a request names, when that is another
    // node: the sid is not live here, carries another node's tag, that
    // node is located, and the request was not forwarded already.
    std::optional<boost::asio::ip::tcp::endpoint> owner_elsewhere(const Request& req,
                                                                  std::string_view query) const;
    // The tag of the other node whose session the request names (not live
    // here, not forwarded already), else empty.
    std::string foreign_tag(const Request& req, std::string_view query) const;
    // Passes a request to the node at `owner`; the engine's unknown-session
    // answer if that node is gone.
    void forward(Request req, const boost::asio::ip::tcp::endpoint& owner, const std::string& remote,
                 const ResponderPtr& out);
    void handle_polling(engineio::Server& engine, Request req, std::string_view query,
                        const std::string& remote, const ResponderPtr& out);
    // Takes a token from `remote`'s bucket, forgetting idle buckets when
    // the table grows.
    static bool take(rooms::KeyedRateLimiter& limiter, const std::string& remote);
    // Answers through `out`, once the membership check has.
    void ice_servers(const Request& req, std::string_view query, const std::string& remote,
                     const ResponderPtr& out);
    Response qr(const Request& req, std::string_view query, const std::string& remote);

    RouterConfig config_;
    engineio::Server& engine_;
    engineio::Server* test_engine_;
    const StaticFiles& files_;
    Sources sources_;
    CorsPolicy cors_;
    HostPolicy hosts_;
    rooms::KeyedRateLimiter per_ip_;
    rooms::KeyedRateLimiter qr_per_ip_;
    rooms::KeyedRateLimiter ice_per_ip_;
    QrCache qr_cache_;
    HttpStats stats_;
    std::unique_ptr<Forwarder> forwarder_;
};

// Content-Security-Policy and friends, on every response.
void add_security_headers(Response& res);
// A small response with a body and content type.
Response make_response(const Request& req, beast_http::status status, std::string_view type,
                       std::string body);

} // namespace fc::http
