#include "server/http/forwarder.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <vector>

namespace fc::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

namespace {
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
// A refusal of an upgrade (the owner's 400 or 403) is a line of JSON.
constexpr std::size_t kMaxRefusalBytes = 64 * 1024;
// Per direction of a tunnel: signaling messages are small, and a bigger
// one just takes more turns.
constexpr std::size_t kSpliceBuffer = 8 * 1024;

void close_socket(tcp::socket& s) {
    error_code ignored;
    s.shutdown(tcp::socket::shutdown_both, ignored);
    s.close(ignored);
}

// Whether an idle keep-alive connection is still usable: nothing to read
// (an owner that closed it shows end of stream; one that sent something
// unasked is not speaking HTTP to us). A peek that does not block.
bool idle_and_open(tcp::socket& s) {
    error_code ec;
    s.non_blocking(true, ec);
    char c = 0;
    s.receive(asio::buffer(&c, 1), tcp::socket::message_peek, ec);
    const bool open = ec == asio::error::would_block;
    s.non_blocking(false, ec);
    return open;
}
} // namespace

void mark_forwarded(Request& req, std::string_view node_tag, std::string_view remote) {
    req.set(kForwardedHeader, node_tag);
    // Appended to whatever chain the client's own proxies built; every
    // X-Forwarded-For line joins it, in order (RFC 7239 section 7.4 for
    // the spirit: one list).
    std::string chain;
    for (auto [it, end] = req.equal_range("X-Forwarded-For"); it != end; ++it) {
        if (!chain.empty())
            chain += ", ";
        chain += it->value();
    }
    if (!chain.empty())
        chain += ", ";
    chain += remote;
    req.set("X-Forwarded-For", chain);
}

struct Forwarder::Shared {
    Shared(asio::any_io_executor e, ForwarderSettings s)
        : executor(std::move(e)), settings(std::move(s)) {}

    // An idle connection to `owner`, if one is still good: the newest,
    // after dropping those past their lifetime.
    std::optional<tcp::socket> take(const tcp::endpoint& owner) {
        auto it = idle.find(owner);
        if (it == idle.end())
            return std::nullopt;
        auto& list = it->second; // oldest first
        const auto now = Clock::now();
        std::optional<tcp::socket> found;
        while (!found && !list.empty()) {
            Idle i = std::move(list.back());
            list.pop_back();
            if (now - i.since < settings.idle_lifetime && idle_and_open(i.socket))
                found.emplace(std::move(i.socket));
            else
                close_socket(i.socket);
        }
        std::erase_if(list, [&](Idle& i) {
            const bool old = now - i.since >= settings.idle_lifetime;
            if (old)
                close_socket(i.socket);
            return old;
        });
        if (list.empty())
            idle.erase(it);
        return found;
    }

    void put(const tcp::endpoint& owner, tcp::socket socket) {
        auto& list = idle[owner];
        if (list.size() >= settings.max_idle_per_owner) {
            close_socket(list.front().socket);
            list.erase(list.begin());
        }
        list.push_back({std::move(socket), Clock::now()});
    }

    void close_idle() {
        for (auto& [owner, list] : idle)
            for (auto& i : list)
                close_socket(i.socket);
        idle.clear();
    }

    struct Idle {
        tcp::socket socket;
        Clock::time_point since;
    };

    asio::any_io_executor executor;
    ForwarderSettings settings;
    ForwardStats stats;
    std::map<tcp::endpoint, std::vector<Idle>> idle;
};

namespace {

// One forwarded polling request, from connecting (or taking an idle
// connection) to handing the owner's answer to the client's connection.
// Kept alive by its pending operation.
class PollForward final : public std::enable_shared_from_this<PollForward> {
public:
    PollForward(std::shared_ptr<Forwarder::Shared> shared, Request req, tcp::endpoint owner,
                ResponderPtr out, Response on_failure, unsigned version, bool keep_alive)
        : shared_(std::move(shared)), req_(std::move(req)), owner_(owner), out_(std::move(out)),
          on_failure_(std::move(on_failure)), version_(version), keep_alive_(keep_alive) {}

    void start() {
        if (auto idle = shared_->take(owner_)) {
            stream_.emplace(std::move(*idle));
            reused_ = true;
            return send();
        }
        connect();
    }

private:
    void connect() {
        reused_ = false;
        stream_.emplace(shared_->executor);
        stream_->expires_after(shared_->settings.connect_timeout);
        stream_->async_connect(owner_, [self = shared_from_this()](error_code ec) {
            if (ec)
                return self->fail();
            self->send();
        });
    }

    void send() {
        stream_->expires_after(shared_->settings.timeout);
        beast_http::async_write(*stream_, req_,
                                [self = shared_from_this()](error_code ec, std::size_t) {
                                    if (ec)
                                        return self->retry_or_fail(ec);
                                    self->read();
                                });
    }

    void read() {
        buffer_.clear();
        parser_.emplace();
        parser_->header_limit(kMaxHeaderBytes);
        parser_->body_limit(shared_->settings.max_response_bytes);
        beast_http::async_read(*stream_, buffer_, *parser_,
                               [self = shared_from_this()](error_code ec, std::size_t) {
                                   if (ec)
                                       return self->retry_or_fail(ec);
                                   self->done();
                               });
    }

    void retry_or_fail(error_code ec) {
        // An idle connection the owner closed just as we took it fails at
        // once with nothing read: the request never reached the owner, so
        // it goes again on a fresh connection (once). A timeout is the
        // owner's silence, not a stale connection.
        const bool stale =
            reused_ && ec != beast::error::timeout && !(parser_ && parser_->got_some());
        close_socket(stream_->socket());
        if (stale)
            return connect();
        fail();
    }

    void done() {
        Response res = parser_->release();
        // Nothing may follow an answer on a connection we keep: we never
        // pipeline, so extra bytes mean the connection is not ours to reuse.
        if (res.keep_alive() && buffer_.size() == 0) {
            stream_->expires_never();
            shared_->put(owner_, stream_->release_socket());
        } else {
            close_socket(stream_->socket());
        }
        // Keep-alive is hop-by-hop: the client's connection follows the
        // client's request; the rest of the owner's answer is as it came.
        res.version(version_);
        res.keep_alive(keep_alive_);
        out_->send(std::move(res));
    }

    void fail() {
        ++shared_->stats.failures;
        if (stream_)
            close_socket(stream_->socket());
        out_->send(std::move(on_failure_));
    }

    std::shared_ptr<Forwarder::Shared> shared_;
    Request req_;
    tcp::endpoint owner_;
    ResponderPtr out_;
    Response on_failure_;
    unsigned version_;
    bool keep_alive_;
    std::optional<beast::tcp_stream> stream_;
    bool reused_ = false;
    beast::flat_buffer buffer_;
    std::optional<beast_http::response_parser<beast_http::string_body>> parser_;
};

// The status line and fields of an answer without a body (the 101).
std::string header_text(const Response& res) {
    std::string out = "HTTP/";
    out += std::to_string(res.version() / 10);
    out += '.';
    out += std::to_string(res.version() % 10);
    out += ' ';
    out += std::to_string(res.result_int());
    out += ' ';
    out += res.reason();
    out += "\r\n";
    for (const auto& f : res) {
        out += f.name_string();
        out += ": ";
        out += f.value();
        out += "\r\n";
    }
    out += "\r\n";
    return out;
}

// A forwarded WebSocket upgrade: the request to the owner, its answer to
// the client, then (after a 101) a splice of the two connections until
// either ends. Kept alive by its pending operations; `finish` closes both
// sides once, and every handler after it sees an error and stops.
template <class ClientStream>
class Tunnel final : public std::enable_shared_from_this<Tunnel<ClientStream>> {
public:
    Tunnel(std::shared_ptr<Forwarder::Shared> shared, ClientStream client, Request req,
           tcp::endpoint owner, std::string client_bytes, Response on_failure)
        : shared_(std::move(shared)), client_(std::move(client)), owner_(client_.get_executor()),
          owner_endpoint_(owner), req_(std::move(req)), client_bytes_(std::move(client_bytes)),
          on_failure_(std::move(on_failure)), idle_(client_.get_executor()) {}

    void start() {
        beast::get_lowest_layer(client_).expires_never();
        owner_.expires_after(shared_->settings.connect_timeout);
        owner_.async_connect(owner_endpoint_, [self = this->shared_from_this()](error_code ec) {
            if (ec)
                return self->refuse();
            self->send_request();
        });
    }

private:
    void send_request() {
        owner_.expires_after(shared_->settings.timeout);
        beast_http::async_write(owner_, req_,
                                [self = this->shared_from_this()](error_code ec, std::size_t) {
                                    if (ec)
                                        return self->refuse();
                                    self->read_answer();
                                });
    }

    void read_answer() {
        parser_.emplace();
        parser_->header_limit(kMaxHeaderBytes);
        parser_->body_limit(kMaxRefusalBytes);
        beast_http::async_read(owner_, owner_buffer_, *parser_,
                               [self = this->shared_from_this()](error_code ec, std::size_t) {
                                   if (ec)
                                       return self->refuse();
                                   self->on_answer();
                               });
    }

    void on_answer() {
        owner_.expires_never();
        answer_.emplace(parser_->release());
        parser_.reset();
        if (answer_->result() != beast_http::status::switching_protocols) {
            // The owner refused (the session is gone, upgrading already):
            // its answer is the client's, and this connection ends.
            answer_->keep_alive(false);
            return relay_answer_and_finish();
        }
        // The 101, then whatever the owner sent right behind it (its
        // first frames), as they came.
        to_client_ = header_text(*answer_);
        to_client_ += beast::buffers_to_string(owner_buffer_.data());
        owner_buffer_.consume(owner_buffer_.size());
        answer_.reset();
        asio::async_write(client_, asio::buffer(to_client_),
                          [self = this->shared_from_this()](error_code ec, std::size_t) {
                              if (ec)
                                  return self->finish();
                              self->to_client_.clear();
                              self->to_client_.shrink_to_fit();
                              self->splice();
                          });
    }

    void refuse() {
        ++shared_->stats.failures;
        close_socket(owner_.socket());
        answer_.emplace(std::move(on_failure_));
        answer_->keep_alive(false);
        relay_answer_and_finish();
    }

    void relay_answer_and_finish() {
        beast::get_lowest_layer(client_).expires_after(shared_->settings.connect_timeout);
        beast_http::async_write(
            client_, *answer_,
            [self = this->shared_from_this()](error_code, std::size_t) { self->finish(); });
    }

    void splice() {
        arm_idle();
        if (client_bytes_.empty()) {
            read_client();
        } else {
            asio::async_write(owner_, asio::buffer(client_bytes_),
                              [self = this->shared_from_this()](error_code ec, std::size_t) {
                                  if (ec)
                                      return self->finish();
                                  self->client_bytes_.clear();
                                  self->read_client();
                              });
        }
        read_owner();
    }

    void read_client() {
        client_.async_read_some(
            asio::buffer(up_), [self = this->shared_from_this()](error_code ec, std::size_t n) {
                if (ec)
                    return self->finish();
                self->active_ = true;
                asio::async_write(self->owner_, asio::buffer(self->up_.data(), n),
                                  [self](error_code ec, std::size_t) {
                                      if (ec)
                                          return self->finish();
                                      self->read_client();
                                  });
            });
    }

    void read_owner() {
        owner_.async_read_some(
            asio::buffer(down_), [self = this->shared_from_this()](error_code ec, std::size_t n) {
                if (ec)
                    return self->finish();
                self->active_ = true;
                asio::async_write(self->client_, asio::buffer(self->down_.data(), n),
                                  [self](error_code ec, std::size_t) {
                                      if (ec)
                                          return self->finish();
                                      self->read_owner();
                                  });
            });
    }

    // A tunnel through which nothing passed for `timeout` is cut: the
    // owner pings every pingInterval, so only a dead pair is that quiet.
    void arm_idle() {
        idle_.expires_after(shared_->settings.timeout);
        idle_.async_wait([self = this->shared_from_this()](error_code ec) {
            if (ec || self->finished_)
                return;
            if (!self->active_)
                return self->finish();
            self->active_ = false;
            self->arm_idle();
        });
    }

    void finish() {
        if (finished_)
            return;
        finished_ = true;
        idle_.cancel();
        close_socket(owner_.socket());
        // Over TLS no close_notify: the WebSocket close handshake (or its
        // absence) already told the client all it needs.
        close_socket(beast::get_lowest_layer(client_).socket());
    }

    std::shared_ptr<Forwarder::Shared> shared_;
    ClientStream client_;
    beast::tcp_stream owner_;
    tcp::endpoint owner_endpoint_;
    Request req_;
    std::string client_bytes_;
    Response on_failure_;
    beast::flat_buffer owner_buffer_;
    std::optional<beast_http::response_parser<beast_http::string_body>> parser_;
    std::optional<Response> answer_;
    std::string to_client_;
    std::array<char, kSpliceBuffer> up_{};   // client -> owner
    std::array<char, kSpliceBuffer> down_{}; // owner -> client
    asio::steady_timer idle_;
    bool active_ = false;
    bool finished_ = false;
};

} // namespace

Forwarder::Forwarder(asio::any_io_executor executor, ForwarderSettings settings)
    : shared_(std::make_shared<Shared>(std::move(executor), std::move(settings))) {}

Forwarder::~Forwarder() {
    shared_->close_idle();
}

const ForwardStats& Forwarder::stats() const {
    return shared_->stats;
}

void Forwarder::close_idle() {
    shared_->close_idle();
}

void Forwarder::forward(Request req, const tcp::endpoint& owner, const std::string& remote,
                        const ResponderPtr& out, Response on_failure) {
    ++shared_->stats.polling;
    const unsigned version = req.version();
    const bool keep_alive = req.keep_alive();
    mark_forwarded(req, shared_->settings.node_tag, remote);
    // Our connection to the owner is ours to keep, whatever the client's is.
    req.version(11);
    req.keep_alive(true);
    req.prepare_payload();
    std::make_shared<PollForward>(shared_, std::move(req), owner, out, std::move(on_failure),
                                  version, keep_alive)
        ->start();
}

void Forwarder::tunnel(PlainStream client, Request req, const std::string& remote,
                       const tcp::endpoint& owner, std::string client_bytes, Response on_failure) {
    ++shared_->stats.upgrades;
    mark_forwarded(req, shared_->settings.node_tag, remote);
    std::make_shared<Tunnel<PlainStream>>(shared_, std::move(client), std::move(req), owner,
                                          std::move(client_bytes), std::move(on_failure))
        ->start();
}

void Forwarder::tunnel(TlsStream client, Request req, const std::string& remote,
                       const tcp::endpoint& owner, std::string client_bytes, Response on_failure) {
    ++shared_->stats.upgrades;
    mark_forwarded(req, shared_->settings.node_tag, remote);
    std::make_shared<Tunnel<TlsStream>>(shared_, std::move(client), std::move(req), owner,
                                        std::move(client_bytes), std::move(on_failure))
        ->start();
}

} // namespace fc::http
