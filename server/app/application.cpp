#include "server/app/application.hpp"

#include "server/base/log.hpp"
#include "server/cluster/redis_directory.hpp"
#include "server/engineio/server.hpp"
#include "server/engineio/session_id.hpp"
#include "server/http/listener.hpp"
#include "server/http/qr.hpp"
#include "server/http/router.hpp"
#include "server/redis/client.hpp"
#include "server/redis/subscriber.hpp"
#include "server/rooms/registry.hpp"
#include "server/signaling/service.hpp"
#include "server/socketio/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <charconv>
#include <cstdio>
#include <iostream>

namespace fc::app {

namespace asio = boost::asio;

std::vector<std::string> reachable_urls(const std::string& host, std::uint16_t port, bool tls) {
    const std::string scheme = tls ? "https://" : "http://";
    // Appended, not `":" + std::to_string(port)`: g++ 12 at -O3 reports a
    // false -Wrestrict on a literal prepended to a temporary string.
    std::string suffix(1, ':');
    suffix += std::to_string(port);
    std::vector<std::string> urls;
    if (host != "0.0.0.0" && host != "::") {
        urls.push_back(scheme + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                       suffix);
        return urls;
    }
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) == 0) {
        for (ifaddrs* a = list; a; a = a->ifa_next) {
            if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET)
                continue;
            char buf[INET_ADDRSTRLEN];
            const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
            if (!inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf))
                continue;
            const std::string ip = buf;
            if (ip.rfind("127.", 0) == 0)
                continue;
            urls.push_back(scheme + ip + suffix);
        }
        freeifaddrs(list);
    }
    urls.push_back(scheme + "localhost" + suffix);
    return urls;
}

// In a cluster: this node's Redis connections and its share of the rooms.
struct Cluster {
    std::string node; // the tag every sid of this node starts with
    redis::Client commands;
    redis::Subscriber events;
    cluster::RedisDirectory directory;

    Cluster(asio::io_context& ioc, const Config& config, std::string tag, std::string address)
        : node(tag), commands(ioc.get_executor(), endpoint(config)),
          events(ioc.get_executor(), endpoint(config)),
          directory(ioc.get_executor(), commands, events,
                    cluster::DirectorySettings{
                        tag, std::move(address), config.limits.max_room_size,
                        config.node_grace.count() > 0
                            ? config.node_grace
                            : config.engine.ping_interval + config.engine.ping_timeout}) {}

    static redis::Endpoint endpoint(const Config& config) {
        return *redis::parse_url(config.redis); // checked by parse_config
    }
    void start() {
        commands.start();
        events.start();
        directory.start();
    }
};

// A node's "host:port" (IPv6 in brackets) as it announces it, as an endpoint.
std::optional<asio::ip::tcp::endpoint> node_endpoint(const std::string& address) {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos)
        return std::nullopt;
    std::string host = address.substr(0, colon);
    if (host.size() > 2 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    const auto ip = asio::ip::make_address(host, ec);
    std::uint16_t port = 0;
    const auto* digits = address.data() + colon + 1;
    auto [end, perr] = std::from_chars(digits, address.data() + address.size(), port);
    if (ec || perr != std::errc{} || end != address.data() + address.size() || port == 0)
        return std::nullopt;
    return asio::ip::tcp::endpoint(ip, port);
}

// The address other nodes reach this one at: the operator's, the address
// listened on if it is one, else the first LAN address.
std::string advertised_host(const Config& config) {
    if (!config.cluster_host.empty())
        return config.cluster_host;
    if (config.host != "0.0.0.0" && config.host != "::")
        return config.host;
    for (const auto& url : reachable_urls(config.host, 1, false)) {
        auto host = http::url_host(url);
        if (!host.empty() && host != "localhost")
            return host;
    }
    return "127.0.0.1";
}

struct Application::Impl {
    // In a cluster, this node's tag (engineio::Settings::node_tag); empty
    // on a single server.
    std::string tag;
    Config config;
    asio::io_context ioc{1};
    std::unique_ptr<asio::ssl::context> tls;
    socketio::Server io;
    // The rooms: this server's alone (in memory), or, with --redis, the
    // cluster's. The service sees only the RoomDirectory interface. Both
    // are declared before the service, which detaches when destroyed.
    rooms::Registry registry;
    std::unique_ptr<Cluster> cluster;
    rooms::RoomDirectory& rooms;
    signaling::Service service;
    engineio::Server engine;
    // Served in place of the rooms contract, if any (protocol-test binary).
    Mode* mode = nullptr;
    std::unique_ptr<engineio::Server> test_engine; // /engine.io/, the mode's
    http::StaticFiles files;
    std::unique_ptr<http::Router> router;
    std::shared_ptr<http::Listener> listener;
    // Where other nodes pass on requests for this node's sessions.
    std::shared_ptr<http::Listener> cluster_listener;
    asio::signal_set signals{ioc, SIGINT, SIGTERM};

    static Config tagged(Config c, const std::string& tag) {
        c.engine.node_tag = tag;
        return c;
    }

    Impl(Config c, Mode* m)
        : tag(c.redis.empty() ? std::string() : engineio::random_id(6)),
          config(tagged(std::move(c), tag)), io(config.socketio),
          registry(config.limits.max_room_size),
          cluster(tag.empty() ? nullptr
                              : std::make_unique<Cluster>(ioc, config, tag, std::string())),
          rooms(cluster ? static_cast<rooms::RoomDirectory&>(cluster->directory) : registry),
          service(rooms, config.limits,
                  [ice = config.ice](std::string_view client_id) {
                      return http::ice_servers_json(ice, client_id,
                                                    std::chrono::system_clock::now());
                  }),
          engine(ioc.get_executor(), config.engine,
                 [this](engineio::Session& s) { io.on_connection(s); }),
          mode(m), files(config.web_root) {
        if (mode)
            test_engine = mode->wire(io, ioc, config);
        else
            io.add_namespace("/", service);
        if (!config.tls_cert.empty()) {
            tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
            tls->set_options(asio::ssl::context::default_workarounds |
                             asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                             asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
            tls->use_certificate_chain_file(config.tls_cert);
            tls->use_private_key_file(config.tls_key, asio::ssl::context::pem);
        }
        http::RouterConfig rc;
        rc.tls = tls != nullptr;
        rc.cors_origins = config.cors_origins;
        rc.allowed_hosts = config.allowed_hosts;
        // The operator named the public URL: its host is ours, and so is its
        // origin (an https:// one behind a TLS-terminating proxy, say).
        if (auto host = http::url_host(config.public_url); !host.empty())
            rc.allowed_hosts.push_back(std::move(host));
        if (auto origin = http::url_origin(config.public_url); !origin.empty())
            rc.cors_origins.push_back(std::move(origin));
        rc.connections_per_ip = config.connections_per_ip;
        rc.ice = config.ice;
        // /api/ice-servers hands TURN credentials only to a proven member.
        // The router lives in this Impl, after the rooms, so `this` outlives it.
        rc.is_member = [this](std::string_view room_id, std::string_view client_id,
                              std::string_view resume_token, std::function<void(bool)> answer) {
            rooms.check_holds(room_id, client_id, resume_token, std::move(answer));
        };
        if (cluster) {
            rc.node_tag = tag;
            rc.locate_node = [this](std::string_view node) -> std::optional<asio::ip::tcp::endpoint> {
                auto address = cluster->directory.address_of(node);
                return address ? node_endpoint(*address) : std::nullopt;
            };
            rc.find_node = [this](std::string_view node,
                                  std::function<void(std::optional<asio::ip::tcp::endpoint>)> done) {
                cluster->directory.find_node(node, [done = std::move(done)](std::optional<std::string> address) {
                    done(address ? node_endpoint(*address) : std::nullopt);
                });
            };
        }
        http::Sources sources;
        sources.engine = &engine;
        sources.io = &io;
        sources.service = &service;
        sources.started = std::chrono::steady_clock::now();
        if (cluster)
            sources.cluster = [this] {
                const auto& d = cluster->directory;
                const auto& st = d.stats();
                http::ClusterView v;
                v.node = cluster->node;
                v.redis_up = d.redis_up();
                v.nodes_alive = d.nodes_alive();
                v.redis_rtt_us = static_cast<std::uint64_t>(cluster->commands.last_rtt().count());
                v.signals_out = st.signals_out;
                v.signals_in = st.signals_in;
                v.messages_in = st.messages_in;
                v.messages_dropped = st.messages_dropped;
                v.version_gaps = st.version_gaps;
                v.resyncs = st.resyncs;
                v.degraded_joins = st.degraded_joins;
                return v;
            };
        router = std::make_unique<http::Router>(rc, engine, test_engine.get(), files, sources);
    }

    void shutdown() {
        log::info("shutdown", {{"connections", std::to_string(engine.session_count())}});
        listener->stop();
        if (cluster_listener)
            cluster_listener->stop();
        router->forwarder().close_idle();
        engine.close_all("server shutting down");
        if (test_engine)
            test_engine->close_all("server shutting down");
        // Give close frames and final polls a moment to go out, then stop
        // whatever is left (idle keep-alive connections).
        auto timer = std::make_shared<asio::steady_timer>(ioc, std::chrono::milliseconds(300));
        timer->async_wait([this, timer](boost::system::error_code) { ioc.stop(); });
    }
};

Application::Application(Config config, Mode* mode)
    : impl_(std::make_unique<Impl>(std::move(config), mode)) {}

Application::~Application() = default;

void Application::run() {
    auto& m = *impl_;
    const auto address = asio::ip::make_address(m.config.host);
    if (m.cluster) {
        // Reachable by the other nodes first (plain TCP: nodes talk over
        // the organiser's own network), then in the cluster, and only then
        // open to clients, so the first joins are the cluster's already.
        // Redis not there within a few seconds: serve anyway, on this
        // node's rooms alone, and join the cluster when it comes.
        m.cluster_listener = std::make_shared<http::Listener>(
            m.ioc, asio::ip::tcp::endpoint(address, m.config.cluster_port), *m.router, nullptr);
        m.cluster_listener->run();
        const auto host = advertised_host(m.config);
        const auto at = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                        std::to_string(m.cluster_listener->local_endpoint().port());
        m.cluster->directory.set_address(at);
        m.cluster->start();
        log::info("cluster", {{"node", m.cluster->node},
                              {"redis", redis::to_string(m.cluster->endpoint(m.config))},
                              {"forwarded-requests-at", at}});
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
        while (!m.cluster->directory.redis_up() && std::chrono::steady_clock::now() < deadline)
            m.ioc.run_one_for(std::chrono::milliseconds(50));
        if (m.ioc.stopped())
            m.ioc.restart();
        if (!m.cluster->directory.redis_up())
            log::warn("redis unreachable at start: serving this node's rooms only until it answers",
                      {});
    }
    m.listener = std::make_shared<http::Listener>(
        m.ioc, asio::ip::tcp::endpoint(address, m.config.port), *m.router, m.tls.get(),
        http::ListenerOptions{m.config.reuse_port});
    const auto port = m.listener->local_endpoint().port();
    m.listener->run();
    m.signals.async_wait([&m](boost::system::error_code ec, int) {
        if (!ec)
            m.shutdown();
    });

    const bool tls = m.tls != nullptr;
    const std::string local =
        std::string(tls ? "https" : "http") + "://" +
        (address.is_unspecified() ? std::string("127.0.0.1") : m.config.host) + ":" +
        std::to_string(port);
    log::info("listening", {{"url", local},
                            {"mode", m.mode ? m.mode->name() : "rooms"},
                            {"tls", tls ? "on" : "off"}});
    // A line tests and scripts wait for (stdout, flushed).
    std::printf("listening on %s\n", local.c_str());
    if (m.config.worker_index > 0) { // the first worker prints the banner for all
        std::fflush(stdout);
        m.ioc.run();
        return;
    }
    auto urls = reachable_urls(m.config.host, port, tls);
    const std::string shown = m.config.public_url.empty() ? urls.front() : m.config.public_url;
    std::printf("Festival Chat is up. Phones on this network can open:\n");
    for (const auto& u : urls)
        std::printf("  %s\n", u.c_str());
    if (m.config.print_qr) {
        std::printf("Scan to open %s\n%s", shown.c_str(), http::qr_terminal(shown).c_str());
    }
    std::fflush(stdout);

    m.ioc.run();
}

} // namespace fc::app
