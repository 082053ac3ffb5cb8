#include "server/app/application.hpp"

#include "server/base/log.hpp"
#include "server/engineio/server.hpp"
#include "server/http/listener.hpp"
#include "server/http/qr.hpp"
#include "server/http/router.hpp"
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

struct Application::Impl {
    Config config;
    asio::io_context ioc{1};
    std::unique_ptr<asio::ssl::context> tls;
    socketio::Server io;
    // The rooms of this server alone; the service sees only its
    // RoomDirectory interface. Declared before the service, which detaches
    // from it when destroyed.
    rooms::Registry registry;
    signaling::Service service;
    engineio::Server engine;
    // Served in place of the rooms contract, if any (protocol-test binary).
    Mode* mode = nullptr;
    std::unique_ptr<engineio::Server> test_engine; // /engine.io/, the mode's
    http::StaticFiles files;
    std::unique_ptr<http::Router> router;
    std::shared_ptr<http::Listener> listener;
    asio::signal_set signals{ioc, SIGINT, SIGTERM};

    explicit Impl(Config c, Mode* m)
        : config(std::move(c)), io(config.socketio), registry(config.limits.max_room_size),
          service(registry, config.limits,
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
        // The router lives in this Impl, after `registry`, so `this` outlives it.
        rc.is_member = [this](std::string_view room_id, std::string_view client_id,
                              std::string_view resume_token) {
            return registry.holds(room_id, client_id, resume_token);
        };
        http::Sources sources;
        sources.engine = &engine;
        sources.io = &io;
        sources.service = &service;
        sources.started = std::chrono::steady_clock::now();
        router = std::make_unique<http::Router>(rc, engine, test_engine.get(), files, sources);
    }

    void shutdown() {
        log::info("shutdown", {{"connections", std::to_string(engine.session_count())}});
        listener->stop();
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
    m.listener = std::make_shared<http::Listener>(
        m.ioc, asio::ip::tcp::endpoint(address, m.config.port), *m.router, m.tls.get());
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
