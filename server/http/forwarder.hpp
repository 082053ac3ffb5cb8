// Passes a request for a session that another node of the cluster owns to
// that node: a long-polling GET or POST as one exchange (the owner's answer
// goes back as it came), a WebSocket upgrade as a tunnel (after the owner's
// 101 the bytes are spliced both ways). The hop between nodes is plain
// TCP on the cluster's private network; the client's side may be TLS.
#pragma once

#include "server/http/metrics.hpp"
#include "server/http/types.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace fc::http {

// Between nodes only: the tag of the node that forwarded a request. A
// request carrying it is answered where it lands, never forwarded again,
// so a stale locator can cost one hop but never a loop.
inline constexpr std::string_view kForwardedHeader = "X-FC-Forwarded";

struct ForwarderSettings {
    // Sent as X-FC-Forwarded.
    std::string node_tag;
    // The whole of one forwarded exchange (writing the request, the owner's
    // answer), and the silence after which a tunnel is cut. It must exceed
    // pingInterval + pingTimeout: the owner holds a long poll for up to
    // pingInterval, and a healthy tunnel carries a ping every pingInterval.
    std::chrono::milliseconds timeout{std::chrono::seconds(95)};
    // Reaching the owner. Nodes share a private network: a node that does
    // not accept within this is gone, and the client had better reconnect
    // (to a live node) than wait.
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
    // Largest answer taken from an owner: a held GET's answer is bounded by
    // the owner's max_queued_bytes.
    std::size_t max_response_bytes = 16 * 1024 * 1024;
    // Idle keep-alive connections kept per owner, and for how long: well
    // under the 30 s an owner's connection waits for its next request, so
    // a connection taken from the pool is rarely one the owner just closed
    // (and one that is is retried once on a fresh connection).
    std::size_t max_idle_per_owner = 16;
    std::chrono::milliseconds idle_lifetime{std::chrono::seconds(15)};
};

class Forwarder {
public:
    using tcp = boost::asio::ip::tcp;
    using PlainStream = boost::beast::tcp_stream;
    using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

    Forwarder(boost::asio::any_io_executor executor, ForwarderSettings settings);
    ~Forwarder();
    Forwarder(const Forwarder&) = delete;
    Forwarder& operator=(const Forwarder&) = delete;

    // A long-polling GET or POST: sent to `owner` marked as forwarded, and
    // the owner's answer sent to `out` as it came (only the hop-by-hop
    // keep-alive follows the client's request). `on_failure` goes to `out`
    // instead when the owner cannot be reached, times out or breaks off.
    void forward(Request req, const tcp::endpoint& owner, const std::string& remote,
                 const ResponderPtr& out, Response on_failure);

    // A WebSocket upgrade: the request goes to `owner`; a 101 is relayed to
    // `client` and then bytes flow both ways until either side closes or
    // fails, or nothing passes for `timeout`; any other answer is relayed
    // and the connection closed. `client_bytes`: what the client sent after
    // the request (read with it). `on_failure` (sent, then close) when the
    // owner cannot be reached.
    void tunnel(PlainStream client, Request req, const std::string& remote,
                const tcp::endpoint& owner, std::string client_bytes, Response on_failure);
    void tunnel(TlsStream client, Request req, const std::string& remote,
                const tcp::endpoint& owner, std::string client_bytes, Response on_failure);

    const ForwardStats& stats() const;
    // Closes the idle keep-alive connections (shutdown).
    void close_idle();

    struct Shared;

private:
    // Exchanges in flight hold this, so a Forwarder may go before them.
    std::shared_ptr<Shared> shared_;
};

// Marks a request as forwarded by `node_tag` for the client at `remote`:
// X-FC-Forwarded, and `remote` appended to X-Forwarded-For.
void mark_forwarded(Request& req, std::string_view node_tag, std::string_view remote);

} // namespace fc::http
