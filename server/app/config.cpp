#include "server/app/config.hpp"

#include "server/http/host_policy.hpp"
#include "server/redis/endpoint.hpp"

#include <charconv>
#include <variant>

namespace fc::app {

namespace {

struct Option {
    const char* name; // flag without the dashes
    const char* env;
    const char* arg; // nullptr: a switch without value
    const char* help;
    std::function<std::optional<std::string>(Config&, std::string_view)> set;
};

template <class T>
std::optional<std::string> parse_number(std::string_view text, T& out, T min, T max) {
    T value{};
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size())
        return "expected a number, got '" + std::string(text) + "'";
    if (value < min || value > max)
        return "must be between " + std::to_string(min) + " and " + std::to_string(max);
    out = value;
    return std::nullopt;
}

std::optional<std::string> parse_ms(std::string_view text, std::chrono::milliseconds& out,
                                    long long min) {
    long long v = 0;
    if (auto e = parse_number<long long>(text, v, min, 24LL * 3600 * 1000))
        return e;
    out = std::chrono::milliseconds(v);
    return std::nullopt;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        auto item = text.substr(0, comma);
        while (!item.empty() && item.front() == ' ')
            item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ')
            item.remove_suffix(1);
        if (!item.empty() && item != "none")
            out.emplace_back(item);
        if (comma == std::string_view::npos)
            break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

std::optional<std::string> parse_bool(std::string_view text, bool& out) {
    if (text == "1" || text == "true" || text == "yes" || text == "on") {
        out = true;
        return std::nullopt;
    }
    if (text == "0" || text == "false" || text == "no" || text == "off") {
        out = false;
        return std::nullopt;
    }
    return "expected true or false, got '" + std::string(text) + "'";
}

const std::vector<Option>& options() {
    using C = Config;
    using R = std::optional<std::string>;
    static const std::vector<Option> opts = {
        {"host", "FC_HOST", "ADDR", "address to listen on (default 0.0.0.0: every interface)",
         [](C& c, std::string_view v) -> R {
             if (v.empty())
                 return "must not be empty";
             c.host = v;
             return std::nullopt;
         }},
        {"port", "FC_PORT", "N", "TCP port (default 3000; 0 picks a free one)",
         [](C& c, std::string_view v) { return parse_number<std::uint16_t>(v, c.port, 0, 65535); }},
        {"web-root", "FC_WEB_ROOT", "DIR", "folder of the built web app (default web/dist)",
         [](C& c, std::string_view v) -> R {
             c.web_root = v;
             return std::nullopt;
         }},
        {"public-url", "FC_PUBLIC_URL", "URL",
         "URL printed and shown as a QR code at start (default: http(s)://<first LAN "
         "address>:<port>)",
         [](C& c, std::string_view v) -> R {
             c.public_url = v;
             return std::nullopt;
         }},
        {"ping-interval", "FC_PING_INTERVAL", "MS", "heartbeat ping interval (default 25000)",
         [](C& c, std::string_view v) { return parse_ms(v, c.engine.ping_interval, 50); }},
        {"ping-timeout", "FC_PING_TIMEOUT", "MS", "pong deadline after a ping (default 60000)",
         [](C& c, std::string_view v) { return parse_ms(v, c.engine.ping_timeout, 50); }},
        {"connect-timeout", "FC_CONNECT_TIMEOUT", "MS",
         "close sessions that join no namespace within this time (default 45000)",
         [](C& c, std::string_view v) { return parse_ms(v, c.socketio.connect_timeout, 50); }},
        {"upgrade-timeout", "FC_UPGRADE_TIMEOUT", "MS",
         "abandon an unfinished polling->websocket upgrade after this (default 10000)",
         [](C& c, std::string_view v) { return parse_ms(v, c.engine.upgrade_timeout, 50); }},
        {"max-payload", "FC_MAX_PAYLOAD", "BYTES",
         "largest message a client may send (default 1000000)",
         [](C& c, std::string_view v) {
             return parse_number<std::size_t>(v, c.engine.max_payload, 1024, 64 * 1024 * 1024);
         }},
        {"max-queued-bytes", "FC_MAX_QUEUED_BYTES", "BYTES",
         "send queue per client before it is dropped as a slow consumer (default 4194304)",
         [](C& c, std::string_view v) {
             return parse_number<std::size_t>(v, c.engine.max_queued_bytes, 64 * 1024,
                                              1024 * 1024 * 1024);
         }},
        {"memory-budget", "FC_MEMORY_BUDGET", "BYTES",
         "what the server may hold for all clients together: queues, incomplete frames, "
         "attachments (default 268435456; half of it for what clients send)",
         [](C& c, std::string_view v) {
             return parse_number<std::size_t>(v, c.engine.memory_budget, 1024 * 1024,
                                              std::size_t{1} << 40);
         }},
        {"write-timeout", "FC_WRITE_TIMEOUT", "MS",
         "cut a WebSocket whose write has not completed after this (default 30000)",
         [](C& c, std::string_view v) { return parse_ms(v, c.engine.write_timeout, 100); }},
        {"attachment-timeout", "FC_ATTACHMENT_TIMEOUT", "MS",
         "close a client whose announced binary attachments do not all arrive in this time "
         "(default 10000)",
         [](C& c, std::string_view v) {
             return parse_ms(v, c.socketio.attachment_timeout, 50);
         }},
        {"room-size", "FC_ROOM_SIZE", "N", "members per room (default 64)",
         [](C& c, std::string_view v) {
             return parse_number<std::size_t>(v, c.limits.max_room_size, 1, 100000);
         }},
        {"event-burst", "FC_EVENT_BURST", "N",
         "events a connection may send at once (default 1000; 0: no limit)",
         [](C& c, std::string_view v) {
             return parse_number<double>(v, c.limits.events.burst, 0, 1e9);
         }},
        {"event-rate", "FC_EVENT_RATE", "N",
         "events per second per connection, sustained (default 200)",
         [](C& c, std::string_view v) {
             return parse_number<double>(v, c.limits.events.per_second, 0, 1e9);
         }},
        {"connection-burst", "FC_CONNECTION_BURST", "N",
         "new connections one IP address may open at once (default 1000; 0: no limit)",
         [](C& c, std::string_view v) {
             return parse_number<double>(v, c.connections_per_ip.burst, 0, 1e9);
         }},
        {"connection-rate", "FC_CONNECTION_RATE", "N",
         "new connections per second per IP address, sustained (default 200)",
         [](C& c, std::string_view v) {
             return parse_number<double>(v, c.connections_per_ip.per_second, 0, 1e9);
         }},
        {"cors-origin", "FC_CORS_ORIGINS", "LIST",
         "origins (comma-separated, or *) allowed to use the signaling endpoints besides this "
         "server's own and that of --public-url; * admits any, without credentials",
         [](C& c, std::string_view v) -> R {
             for (auto& o : split_list(v))
                 c.cors_origins.push_back(std::move(o));
             return std::nullopt;
         }},
        {"allowed-hosts", "FC_ALLOWED_HOSTS", "LIST",
         "host names (comma-separated, or *) the signaling endpoints answer besides IP "
         "addresses, localhost and the --public-url host (DNS rebinding guard)",
         [](C& c, std::string_view v) -> R {
             for (auto& h : split_list(v)) {
                 if (h == "*") {
                     c.allowed_hosts.push_back(std::move(h));
                     continue;
                 }
                 // A port is tolerated and dropped; a URL is not a host.
                 auto parsed = http::parse_host_header(h);
                 if (!parsed)
                     return "expected host names such as chat.example.org, got '" + h + "'";
                 c.allowed_hosts.push_back(std::move(parsed->name));
             }
             return std::nullopt;
         }},
        {"stun-urls", "FC_STUN_URLS", "LIST",
         "STUN URLs for the ICE list (default Google and Cloudflare; 'none' for none)",
         [](C& c, std::string_view v) -> R {
             c.ice.stun_urls = split_list(v);
             return std::nullopt;
         }},
        {"turn-urls", "FC_TURN_URLS", "LIST", "TURN URLs, e.g. turn:turn.example.org:3478",
         [](C& c, std::string_view v) -> R {
             c.ice.turn_urls = split_list(v);
             return std::nullopt;
         }},
        {"turn-secret", "FC_TURN_SECRET", "SECRET",
         "coturn static-auth-secret: TURN entries get short-lived credentials",
         [](C& c, std::string_view v) -> R {
             c.ice.turn_secret = v;
             return std::nullopt;
         }},
        {"turn-ttl", "FC_TURN_TTL", "SECONDS", "lifetime of TURN credentials (default 86400)",
         [](C& c, std::string_view v) -> R {
             long long s = 0;
             if (auto e = parse_number<long long>(v, s, 60, 30LL * 86400))
                 return e;
             c.ice.turn_ttl = std::chrono::seconds(s);
             return std::nullopt;
         }},
        {"tls-cert", "FC_TLS_CERT", "FILE", "PEM certificate chain: serve HTTPS/WSS",
         [](C& c, std::string_view v) -> R {
             c.tls_cert = v;
             return std::nullopt;
         }},
        {"tls-key", "FC_TLS_KEY", "FILE", "PEM private key for --tls-cert",
         [](C& c, std::string_view v) -> R {
             c.tls_key = v;
             return std::nullopt;
         }},
        {"log-level", "FC_LOG_LEVEL", "LEVEL", "debug, info, warn or error (default info)",
         [](C& c, std::string_view v) -> R {
             if (!log::parse_level(v, c.log_level))
                 return "expected debug, info, warn or error";
             return std::nullopt;
         }},
        {"redis", "FC_REDIS", "URL",
         "redis://host:port[/db]: share rooms with every server on this Redis (a cluster)",
         [](C& c, std::string_view v) -> R {
             if (v.empty()) {
                 c.redis.clear();
                 return std::nullopt;
             }
             if (auto ep = redis::parse_url(v); !ep)
                 return ep.error();
             c.redis = v;
             return std::nullopt;
         }},
        {"workers", "FC_WORKERS", "N",
         "server processes on this machine sharing the port (default 1; more need --redis)",
         [](C& c, std::string_view v) { return parse_number<unsigned>(v, c.workers, 1, 64); }},
        {"cluster-host", "FC_CLUSTER_HOST", "ADDR",
         "address other servers reach this one at (default: first LAN address)",
         [](C& c, std::string_view v) -> R {
             c.cluster_host = v;
             return std::nullopt;
         }},
        {"cluster-port", "FC_CLUSTER_PORT", "N",
         "port for requests other servers pass on to this one (default 0: a free one)",
         [](C& c, std::string_view v) {
             return parse_number<std::uint16_t>(v, c.cluster_port, 0, 65535);
         }},
        {"node-grace", "FC_NODE_GRACE", "MS",
         "how long a dead server's members keep their places (default: ping interval + timeout)",
         [](C& c, std::string_view v) { return parse_ms(v, c.node_grace, 0); }},
        {"no-qr", "FC_NO_QR", nullptr, "do not print the QR code at start",
         [](C& c, std::string_view v) -> R {
             bool b = true;
             if (auto e = parse_bool(v, b))
                 return e;
             c.print_qr = !b;
             return std::nullopt;
         }},
    };
    return opts;
}

} // namespace

std::string help_text() {
    std::string out =
        "Usage: festival-chat-server [options]\n\n"
        "The Festival Chat signaling server and web host. Every option can also be set\n"
        "by its environment variable; a flag wins over the variable.\n\n";
    for (const auto& o : options()) {
        std::string left = std::string("  --") + o.name;
        if (o.arg)
            left += std::string(" ") + o.arg;
        out += left;
        out += std::string(left.size() < 32 ? 32 - left.size() : 1, ' ');
        out += o.help;
        out += " [";
        out += o.env;
        out += "]\n";
    }
    out += "  --help                          show this help\n"
           "  --version                       show the version\n";
    return out;
}

std::variant<Parsed, std::string> parse_config(int argc, const char* const* argv,
                                               const EnvLookup& env) {
    Parsed parsed;
    parsed.config.ice.stun_urls = {"stun:stun.l.google.com:19302", "stun:stun.cloudflare.com:3478"};
    Config& c = parsed.config;

    for (const auto& o : options()) {
        if (const char* v = env(o.env); v && *v) {
            if (auto e = o.set(c, v))
                return std::string(o.env) + ": " + *e;
        }
    }
    // A flag replaces the variable's list rather than adding to it.
    bool cors_from_flag = false;
    bool hosts_from_flag = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            parsed.action = Action::help;
            return parsed;
        }
        if (arg == "--version" || arg == "-V") {
            parsed.action = Action::version;
            return parsed;
        }
        if (arg.substr(0, 2) != "--")
            return "unexpected argument '" + std::string(arg) + "' (see --help)";
        arg.remove_prefix(2);
        std::optional<std::string_view> value;
        if (const auto eq = arg.find('='); eq != std::string_view::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        }
        const Option* opt = nullptr;
        for (const auto& o : options())
            if (arg == o.name)
                opt = &o;
        if (!opt)
            return "unknown option --" + std::string(arg) + " (see --help)";
        if (!opt->arg) {
            if (auto e = opt->set(c, value.value_or("true")))
                return "--" + std::string(arg) + ": " + *e;
            continue;
        }
        if (!value) {
            if (i + 1 >= argc)
                return "--" + std::string(arg) + " needs a value (" + opt->arg + ")";
            value = argv[++i];
        }
        if (arg == "cors-origin" && !cors_from_flag) {
            c.cors_origins.clear();
            cors_from_flag = true;
        }
        if (arg == "allowed-hosts" && !hosts_from_flag) {
            c.allowed_hosts.clear();
            hosts_from_flag = true;
        }
        if (auto e = opt->set(c, *value))
            return "--" + std::string(arg) + ": " + *e;
    }

    if (c.tls_cert.empty() != c.tls_key.empty())
        return "--tls-cert and --tls-key go together";
    if (!c.ice.turn_secret.empty() && c.ice.turn_urls.empty())
        return "--turn-secret needs --turn-urls";
    if (c.workers > 1 && c.redis.empty())
        return "--workers needs --redis: the processes share rooms through it";
    // A packet's attachments together may be as large as one message.
    c.socketio.max_attachment_bytes = c.engine.max_payload;
    return parsed;
}

} // namespace fc::app
