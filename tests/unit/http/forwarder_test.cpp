#include "server/http/forwarder.hpp"

#include "server/engineio/errors.hpp"
#include "server/engineio/packet.hpp"
#include "server/engineio/server.hpp"
#include "server/engineio/session.hpp"
#include "server/engineio/session_id.hpp"
#include "server/http/listener.hpp"
#include "server/http/router.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <mutex>
#include <thread>

using namespace fc::http;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr std::string_view kTagA = "nodeAAAA";
constexpr std::string_view kTagB = "nodeBBBB";

// What a node's sessions received; read from the test thread.
class Log {
public:
    void add(std::string s) {
        std::lock_guard lock(m_);
        messages_.push_back(std::move(s));
    }
    std::vector<std::string> get() {
        std::lock_guard lock(m_);
        return messages_;
    }

private:
    std::mutex m_;
    std::vector<std::string> messages_;
};

// Records each message and answers it with "echo:<message>".
class Echo final : public fc::engineio::SessionHandler {
public:
    Echo(fc::engineio::Session& session, Log& log) : session_(session), log_(log) {}
    void on_message(std::string_view data, bool) override {
        log_.add(std::string(data));
        session_.send(fc::engineio::make_text_frame(fc::engineio::PacketType::message,
                                                    "echo:" + std::string(data)));
    }
    void on_close(std::string_view) override {}

private:
    fc::engineio::Session& session_;
    Log& log_;
};

using Locator = std::function<std::optional<tcp::endpoint>(std::string_view)>;
using Finder = std::function<void(std::string_view, std::function<void(std::optional<tcp::endpoint>)>)>;

// One node of a cluster: an engine whose sessions echo, a router, and a
// listener on a free loopback port, all on the shared io_context.
struct Node {
    Node(asio::io_context& ioc, std::string_view tag, Locator locate,
         asio::ssl::context* tls = nullptr, Finder find = nullptr)
        : engine(
              ioc.get_executor(), settings(tag),
              [this](fc::engineio::Session& s) { s.set_handler(std::make_unique<Echo>(s, log)); }),
          router(config(tag, std::move(locate), std::move(find)), engine, nullptr, files, Sources{}),
          listener(std::make_shared<Listener>(
              ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), router, tls)) {}

    static fc::engineio::Settings settings(std::string_view tag) {
        fc::engineio::Settings s;
        s.node_tag = std::string(tag);
        return s;
    }
    static RouterConfig config(std::string_view tag, Locator locate, Finder find) {
        RouterConfig c;
        c.node_tag = std::string(tag);
        c.locate_node = std::move(locate);
        c.find_node = std::move(find);
        return c;
    }

    Log log;
    fc::engineio::Server engine;
    StaticFiles files{"/nonexistent-web-root"};
    Router router;
    std::shared_ptr<Listener> listener;
};

// The test thread's side: its own io_context, run until what a test waits
// for happened or a deadline passed (never a sleep, never a hang).
struct Client {
    asio::io_context io;

    template <class Done>
    bool run_until(Done done, std::chrono::seconds limit = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        io.restart();
        while (!done() && io.run_one_until(deadline) > 0) {
        }
        return done();
    }

    struct Op {
        bool done = false;
        error_code ec;
    };
    // Starts an operation through `start(handler)` and waits for it.
    template <class Start> error_code wait(Start start) {
        auto op = std::make_shared<Op>();
        start([op](error_code ec, auto&&...) {
            op->ec = ec;
            op->done = true;
        });
        if (!run_until([&] { return op->done; }))
            return asio::error::timed_out;
        return op->ec;
    }
};

Request make_request(bh::verb method, std::string target, std::string body = {}) {
    Request req{method, target, 11};
    req.set(bh::field::host, "127.0.0.1");
    if (!body.empty()) {
        req.set(bh::field::content_type, "text/plain;charset=UTF-8");
        req.body() = std::move(body);
    }
    req.prepare_payload();
    return req;
}

Request upgrade_request(std::string target) {
    Request req = make_request(bh::verb::get, std::move(target));
    req.set(bh::field::connection, "Upgrade");
    req.set(bh::field::upgrade, "websocket");
    req.set(bh::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
    req.set(bh::field::sec_websocket_version, "13");
    return req;
}

// One keep-alive HTTP connection of the client.
struct HttpConn {
    struct Exchange {
        Request req;
        Response res;
        bool done = false;
        error_code ec;
    };

    HttpConn(Client& c, const tcp::endpoint& to) : client(c), stream(c.io) {
        EXPECT_FALSE(client.wait([&](auto h) { stream.async_connect(to, h); }));
    }

    // Sends a request; the answer is read by finish().
    std::shared_ptr<Exchange> start(Request req) {
        auto x = std::make_shared<Exchange>();
        x->req = std::move(req);
        bh::async_write(stream, x->req, [this, x](error_code ec, std::size_t) {
            if (ec) {
                x->ec = ec;
                x->done = true;
                return;
            }
            bh::async_read(stream, buffer, x->res, [x](error_code ec, std::size_t) {
                x->ec = ec;
                x->done = true;
            });
        });
        return x;
    }

    Response finish(const std::shared_ptr<Exchange>& x) {
        EXPECT_TRUE(client.run_until([&] { return x->done; })) << "no answer in time";
        EXPECT_FALSE(x->ec) << x->ec.message();
        return x->res;
    }

    Response send(Request req) { return finish(start(std::move(req))); }

    Client& client;
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
};

std::string polling(std::string_view sid) {
    return "/socket.io/?EIO=4&transport=polling&sid=" + std::string(sid);
}

// A server context with a throwaway self-signed certificate.
std::unique_ptr<asio::ssl::context> self_signed() {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    SSL_CTX_use_certificate(ctx->native_handle(), cert);
    SSL_CTX_use_PrivateKey(ctx->native_handle(), key);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ctx;
}

const std::string kUnknownSid =
    fc::engineio::error_body(fc::engineio::RequestError::session_id_unknown);

struct ForwarderTest : ::testing::Test {
    asio::io_context ioc;
    // Tag -> listener: filled before the io thread starts, read only on it.
    std::map<std::string, tcp::endpoint, std::less<>> where;
    std::unique_ptr<Node> a;
    std::unique_ptr<Node> b;
    std::thread io_thread;
    Client client;

    Locator locator() {
        return [this](std::string_view tag) -> std::optional<tcp::endpoint> {
            auto it = where.find(tag);
            if (it == where.end())
                return std::nullopt;
            return it->second;
        };
    }

    // B's public side may speak TLS; the hop to A is plain TCP.
    void start(std::string_view tag_a = kTagA, std::string_view tag_b = kTagB,
               asio::ssl::context* b_tls = nullptr) {
        a = std::make_unique<Node>(ioc, tag_a, locator());
        b = std::make_unique<Node>(ioc, tag_b, locator(), b_tls);
        where[std::string(tag_a)] = a->listener->local_endpoint();
        where[std::string(tag_b)] = b->listener->local_endpoint();
        a->listener->run();
        b->listener->run();
        io_thread = std::thread([this] { ioc.run(); });
    }

    void TearDown() override {
        if (io_thread.joinable()) {
            ioc.stop();
            io_thread.join();
        }
    }

    // Runs `f` on the io thread and returns what it returns.
    template <class F> auto on_io(F f) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        asio::post(ioc, [&task] { task(); });
        return result.get();
    }

    std::string handshake(Node& node) {
        HttpConn conn(client, node.listener->local_endpoint());
        auto res = conn.send(make_request(bh::verb::get, "/socket.io/?EIO=4&transport=polling"));
        EXPECT_EQ(res.result(), bh::status::ok);
        EXPECT_EQ(res.body().rfind('0', 0), 0u);
        auto open = boost::json::parse(std::string_view(res.body()).substr(1));
        return std::string(open.at("sid").as_string());
    }

    ForwardStats forwarded(Node& node) {
        return on_io([&] { return node.router.forward_stats(); });
    }
};

} // namespace

TEST(NodeTag, SidsStartWithTheTagAndTheTagIsReadBack) {
    const auto sid = fc::engineio::new_session_id(kTagA);
    EXPECT_EQ(sid.size(), 8u + 22u);
    EXPECT_EQ(sid.rfind(kTagA, 0), 0u);
    EXPECT_EQ(fc::engineio::node_tag_of(sid), kTagA);
    EXPECT_EQ(fc::engineio::new_session_id("").size(), 22u);
}

TEST(NodeTag, AnInvalidTagIsAStartupFailure) {
    asio::io_context ioc;
    for (std::string tag : {"short", "nine-char", "node AAA", "node/AAA"}) {
        fc::engineio::Settings s;
        s.node_tag = tag;
        EXPECT_THROW(fc::engineio::Server(ioc.get_executor(), s, [](fc::engineio::Session&) {}),
                     std::invalid_argument)
            << tag;
    }
    fc::engineio::Settings s;
    s.node_tag = std::string(kTagA);
    fc::engineio::Server engine(ioc.get_executor(), s, [](fc::engineio::Session&) {});
    StaticFiles files{"/nonexistent-web-root"};
    RouterConfig c;
    c.node_tag = std::string(kTagB); // not the engine's
    EXPECT_THROW(Router(c, engine, nullptr, files, Sources{}), std::invalid_argument);
}

TEST(MarkForwarded, AddsTheTagAndAppendsTheClientToTheChain) {
    Request req = make_request(bh::verb::get, "/socket.io/");
    mark_forwarded(req, kTagB, "10.0.0.7");
    EXPECT_EQ(req[kForwardedHeader], kTagB);
    EXPECT_EQ(req["X-Forwarded-For"], "10.0.0.7");
    Request proxied = make_request(bh::verb::get, "/socket.io/");
    proxied.insert("X-Forwarded-For", "192.0.2.1");
    proxied.insert("X-Forwarded-For", "192.0.2.2");
    mark_forwarded(proxied, kTagB, "10.0.0.7");
    EXPECT_EQ(proxied["X-Forwarded-For"], "192.0.2.1, 192.0.2.2, 10.0.0.7");
    EXPECT_EQ(proxied.count("X-Forwarded-For"), 1u);
}

TEST_F(ForwarderTest, SidsCarryTheOwnersTag) {
    start();
    const auto sid = handshake(*a);
    EXPECT_EQ(sid.size(), 30u);
    EXPECT_EQ(fc::engineio::node_tag_of(sid), kTagA);
    EXPECT_EQ(fc::engineio::node_tag_of(handshake(*b)), kTagB);
}

TEST_F(ForwarderTest, PollingThroughAnotherNodeIsAnsweredByTheOwner) {
    start();
    const auto sid = handshake(*a);
    HttpConn via_b(client, b->listener->local_endpoint());
    auto posted = via_b.send(make_request(bh::verb::post, polling(sid), "4hello"));
    EXPECT_EQ(posted.result(), bh::status::ok);
    EXPECT_EQ(posted.body(), "ok");
    EXPECT_EQ(a->log.get(), std::vector<std::string>{"hello"});
    // Through the pooled connection to A, on the same client connection.
    auto polled = via_b.send(make_request(bh::verb::get, polling(sid)));
    EXPECT_EQ(polled.result(), bh::status::ok);
    EXPECT_EQ(polled.body(), "4echo:hello");
    EXPECT_EQ(on_io([&] { return b->engine.session_count(); }), 0u);
    const auto stats = forwarded(*b);
    EXPECT_EQ(stats.polling, 2u);
    EXPECT_EQ(stats.failures, 0u);
    EXPECT_EQ(forwarded(*a).polling, 0u);
}

// B has not heard of A yet (A started a moment ago): B asks further (in a
// cluster, Redis) and forwards once it knows; a node nobody knows is an
// unknown session, answered by B itself.
TEST_F(ForwarderTest, APollForANodeNotHeardOfYetIsForwardedOnceFound) {
    a = std::make_unique<Node>(ioc, kTagA, locator());
    std::vector<std::string> asked;
    auto only_b = [this](std::string_view tag) -> std::optional<tcp::endpoint> {
        if (tag == kTagB)
            return where[std::string(kTagB)];
        return std::nullopt;
    };
    auto find = [this, &asked](std::string_view tag,
                               std::function<void(std::optional<tcp::endpoint>)> done) {
        asked.emplace_back(tag);
        std::optional<tcp::endpoint> at;
        if (tag == kTagA)
            at = where[std::string(kTagA)];
        asio::post(ioc, [done = std::move(done), at] { done(at); }); // later, as Redis answers
    };
    b = std::make_unique<Node>(ioc, kTagB, only_b, nullptr, find);
    where[std::string(kTagA)] = a->listener->local_endpoint();
    where[std::string(kTagB)] = b->listener->local_endpoint();
    a->listener->run();
    b->listener->run();
    io_thread = std::thread([this] { ioc.run(); });

    const auto sid = handshake(*a);
    HttpConn via_b(client, b->listener->local_endpoint());
    auto posted = via_b.send(make_request(bh::verb::post, polling(sid), "4early"));
    EXPECT_EQ(posted.result(), bh::status::ok);
    EXPECT_EQ(posted.body(), "ok");
    EXPECT_EQ(a->log.get(), std::vector<std::string>{"early"});
    EXPECT_EQ(via_b.send(make_request(bh::verb::get, polling(sid))).body(), "4echo:early");

    const std::string stranger = "nodeZZZZ" + sid.substr(8);
    auto lost = via_b.send(make_request(bh::verb::get, polling(stranger)));
    EXPECT_EQ(lost.result(), bh::status::bad_request);
    EXPECT_EQ(lost.body(), kUnknownSid);
    EXPECT_EQ(on_io([&] { return asked; }),
              (std::vector<std::string>{std::string(kTagA), std::string(kTagA), "nodeZZZZ"}));
}

TEST_F(ForwarderTest, AHeldPollThroughAnotherNodeGetsWhatTheOwnerQueues) {
    start();
    const auto sid = handshake(*a);
    HttpConn poll_conn(client, b->listener->local_endpoint());
    HttpConn post_conn(client, b->listener->local_endpoint());
    auto held = poll_conn.start(make_request(bh::verb::get, polling(sid)));
    // The GET is held by A; the POST's echo answers it.
    auto posted = post_conn.send(make_request(bh::verb::post, polling(sid), "4ping"));
    EXPECT_EQ(posted.body(), "ok");
    auto polled = poll_conn.finish(held);
    EXPECT_EQ(polled.result(), bh::status::ok);
    EXPECT_EQ(polled.body(), "4echo:ping");
    // And again: the held GET's connection to A went back to the pool.
    auto again = poll_conn.start(make_request(bh::verb::get, polling(sid)));
    EXPECT_EQ(post_conn.send(make_request(bh::verb::post, polling(sid), "4pong")).body(), "ok");
    EXPECT_EQ(poll_conn.finish(again).body(), "4echo:pong");
    EXPECT_EQ(forwarded(*b).failures, 0u);
}

TEST_F(ForwarderTest, AnUpgradeThroughAnotherNodeIsSplicedToTheOwner) {
    start();
    const auto sid = handshake(*a);
    beast::websocket::stream<beast::tcp_stream> ws(client.io);
    ASSERT_FALSE(client.wait([&](auto h) {
        beast::get_lowest_layer(ws).async_connect(b->listener->local_endpoint(), h);
    }));
    ASSERT_FALSE(client.wait([&](auto h) {
        ws.async_handshake("127.0.0.1", "/socket.io/?EIO=4&transport=websocket&sid=" + sid, h);
    }));
    ws.text(true);
    auto say = [&](std::string text) {
        EXPECT_FALSE(client.wait([&](auto h) { ws.async_write(asio::buffer(text), h); }));
    };
    auto hear = [&] {
        beast::flat_buffer buf;
        EXPECT_FALSE(client.wait([&](auto h) { ws.async_read(buf, h); }));
        return beast::buffers_to_string(buf.data());
    };
    say("2probe");
    EXPECT_EQ(hear(), "3probe");
    say("5");
    say("4over the tunnel");
    EXPECT_EQ(hear(), "4echo:over the tunnel");
    EXPECT_EQ(
        on_io([&] { return a->engine.session_count(fc::engineio::TransportKind::websocket); }), 1u);
    EXPECT_EQ(a->log.get(), std::vector<std::string>{"over the tunnel"});
    EXPECT_FALSE(
        client.wait([&](auto h) { ws.async_close(beast::websocket::close_code::normal, h); }));
    const auto stats = forwarded(*b);
    EXPECT_EQ(stats.upgrades, 1u);
    EXPECT_EQ(stats.failures, 0u);
}

TEST_F(ForwarderTest, AnUpgradeOverTlsIsSplicedToThePlainOwner) {
    auto tls = self_signed();
    start(kTagA, kTagB, tls.get());
    const auto sid = handshake(*a);
    asio::ssl::context client_tls(asio::ssl::context::tls_client);
    client_tls.set_verify_mode(asio::ssl::verify_none);
    beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(client.io, client_tls);
    ASSERT_FALSE(client.wait([&](auto h) {
        beast::get_lowest_layer(ws).async_connect(b->listener->local_endpoint(), h);
    }));
    ASSERT_FALSE(client.wait(
        [&](auto h) { ws.next_layer().async_handshake(asio::ssl::stream_base::client, h); }));
    ASSERT_FALSE(client.wait([&](auto h) {
        ws.async_handshake("127.0.0.1", "/socket.io/?EIO=4&transport=websocket&sid=" + sid, h);
    }));
    ws.text(true);
    auto say = [&](std::string text) {
        EXPECT_FALSE(client.wait([&](auto h) { ws.async_write(asio::buffer(text), h); }));
    };
    auto hear = [&] {
        beast::flat_buffer buf;
        EXPECT_FALSE(client.wait([&](auto h) { ws.async_read(buf, h); }));
        return beast::buffers_to_string(buf.data());
    };
    say("2probe");
    EXPECT_EQ(hear(), "3probe");
    say("5");
    // Larger than one splice buffer, both ways.
    const std::string big(20000, 'x');
    say("4" + big);
    EXPECT_EQ(hear(), "4echo:" + big);
    EXPECT_EQ(a->log.get(), std::vector<std::string>{big});
    EXPECT_EQ(forwarded(*b).upgrades, 1u);
}

TEST_F(ForwarderTest, AnUpgradeTheOwnerRefusesIsRelayed) {
    start();
    const auto sid = handshake(*a);
    // A closes the session; B still forwards (the tag is A's) and relays
    // A's answer.
    on_io([&] {
        a->engine.close_all("test");
        return 0;
    });
    HttpConn conn(client, b->listener->local_endpoint());
    auto res = conn.send(upgrade_request("/socket.io/?EIO=4&transport=websocket&sid=" + sid));
    EXPECT_EQ(res.result(), bh::status::bad_request);
    EXPECT_EQ(res.body(), kUnknownSid);
    EXPECT_EQ(forwarded(*b).upgrades, 1u);
}

TEST_F(ForwarderTest, AnUnknownTagIsAnUnknownSession) {
    start();
    const std::string sid = "nodeZZZZ" + fc::engineio::random_id();
    HttpConn conn(client, b->listener->local_endpoint());
    auto res = conn.send(make_request(bh::verb::get, polling(sid)));
    EXPECT_EQ(res.result(), bh::status::bad_request);
    EXPECT_EQ(res.body(), kUnknownSid);
    EXPECT_EQ(forwarded(*b).polling, 0u);
}

TEST_F(ForwarderTest, AnOwnerThatIsDownIsAnUnknownSession) {
    start();
    const auto sid = handshake(*a);
    on_io([&] {
        a->listener->stop();
        return 0;
    });
    HttpConn conn(client, b->listener->local_endpoint());
    auto res = conn.send(make_request(bh::verb::get, polling(sid)));
    EXPECT_EQ(res.result(), bh::status::bad_request);
    EXPECT_EQ(res.body(), kUnknownSid);
    EXPECT_EQ(res[bh::field::content_type], "application/json");
    // The connection stays usable, and an upgrade gets the same answer.
    auto up = conn.send(upgrade_request("/socket.io/?EIO=4&transport=websocket&sid=" + sid));
    EXPECT_EQ(up.result(), bh::status::bad_request);
    EXPECT_EQ(up.body(), kUnknownSid);
    const auto stats = forwarded(*b);
    EXPECT_EQ(stats.polling, 1u);
    EXPECT_EQ(stats.upgrades, 1u);
    EXPECT_EQ(stats.failures, 2u);
}

TEST_F(ForwarderTest, AForwardedRequestIsNeverForwardedAgain) {
    start();
    const auto sid = handshake(*a);
    HttpConn conn(client, b->listener->local_endpoint());
    auto req = make_request(bh::verb::get, polling(sid));
    req.set(kForwardedHeader, kTagA);
    auto res = conn.send(std::move(req));
    EXPECT_EQ(res.result(), bh::status::bad_request);
    EXPECT_EQ(res.body(), kUnknownSid);
    auto up = upgrade_request("/socket.io/?EIO=4&transport=websocket&sid=" + sid);
    up.set(kForwardedHeader, kTagA);
    EXPECT_EQ(conn.send(std::move(up)).result(), bh::status::bad_request);
    const auto stats = forwarded(*b);
    EXPECT_EQ(stats.polling, 0u);
    EXPECT_EQ(stats.upgrades, 0u);
}

TEST_F(ForwarderTest, WithoutTagsSidsAreAsBeforeAndNothingIsForwarded) {
    start("", "");
    const auto sid = handshake(*a);
    EXPECT_EQ(sid.size(), 22u);
    HttpConn conn(client, b->listener->local_endpoint());
    auto res = conn.send(make_request(bh::verb::get, polling(sid)));
    EXPECT_EQ(res.result(), bh::status::bad_request);
    EXPECT_EQ(res.body(), kUnknownSid);
    EXPECT_EQ(forwarded(*b).polling, 0u);
}

TEST_F(ForwarderTest, OddSidsAreNeverForwarded) {
    start();
    const std::string random = fc::engineio::random_id();
    const std::vector<std::string> sids = {
        "",
        "n",
        "nodeAAA",
        "nodeAAAA",
        "nodeAAAA" + random.substr(1),
        "nodeAAAA" + random + "x",
        "nodeAA%20A" + random,
        "nodeAAAA" + random.substr(2) + "%00",
        "nodeAAAA" + random.substr(1) + "%2F",
        "%FF%FEodeAAAA" + random,
        "nodeAAAA" + random.substr(3) + "%C3%A9",
        std::string(4000, 'A'),
    };
    HttpConn conn(client, b->listener->local_endpoint());
    for (const auto& sid : sids) {
        auto res = conn.send(make_request(bh::verb::get, polling(sid)));
        EXPECT_EQ(res.result(), bh::status::bad_request) << sid;
    }
    EXPECT_EQ(forwarded(*b).polling, 0u);
}

TEST(ListenerOptions, ReusePortLetsTwoListenersShareAPort) {
    asio::io_context ioc;
    fc::engineio::Server engine(ioc.get_executor(), {}, [](fc::engineio::Session&) {});
    StaticFiles files{"/nonexistent-web-root"};
    Router router(RouterConfig{}, engine, nullptr, files, Sources{});
    const tcp::endpoint any(asio::ip::make_address("127.0.0.1"), 0);
    auto first = std::make_shared<Listener>(ioc, any, router, nullptr, ListenerOptions{true});
    const tcp::endpoint same = first->local_endpoint();
    EXPECT_NO_THROW(std::make_shared<Listener>(ioc, same, router, nullptr, ListenerOptions{true}));
    EXPECT_THROW(std::make_shared<Listener>(ioc, same, router, nullptr),
                 boost::system::system_error);
    // Another address for the same router (a node's internal one).
    EXPECT_NO_THROW(std::make_shared<Listener>(ioc, any, router, nullptr));
}
