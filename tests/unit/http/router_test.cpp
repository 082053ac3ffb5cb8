#include "server/http/router.hpp"

#include "server/engineio/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <optional>

using namespace fc::http;
namespace bh = boost::beast::http;

namespace {

struct Capture final : Responder {
    std::optional<Response> res;
    void send(Response r) override { res = std::move(r); }
};

// A router over an engine that never runs: the tests stop at answers the
// router gives itself.
struct RouterTest : ::testing::Test {
    boost::asio::io_context ioc;
    fc::engineio::Server engine{ioc.get_executor(), fc::engineio::Settings{},
                                [](fc::engineio::Session&) {}};
    StaticFiles files{"/nonexistent-web-root"};
    std::optional<Router> router;

    void make(RouterConfig config) {
        router.emplace(std::move(config), engine, nullptr, files, Sources{});
    }

    Response get(std::string_view target, std::string_view host = "127.0.0.1:3000",
                 std::string_view remote = "10.0.0.7", std::string_view origin = "",
                 bh::verb method = bh::verb::get, std::string_view authorization = "") {
        Request req{method, target, 11};
        req.set(bh::field::host, host);
        if (!origin.empty())
            req.set(bh::field::origin, origin);
        if (!authorization.empty())
            req.set(bh::field::authorization, authorization);
        auto out = std::make_shared<Capture>();
        router->handle(std::move(req), std::string(remote), out);
        EXPECT_TRUE(out->res);
        return out->res ? std::move(*out->res) : Response{};
    }

    std::variant<Router::Upgrade, Response, Router::Forward> upgrade(std::string_view host,
                                                    std::string_view origin = "") {
        Request req{bh::verb::get, "/socket.io/?EIO=4&transport=websocket", 11};
        req.set(bh::field::host, host);
        req.set(bh::field::connection, "Upgrade");
        req.set(bh::field::upgrade, "websocket");
        if (!origin.empty())
            req.set(bh::field::origin, origin);
        return router->upgrade(req, "10.0.0.7");
    }
};

RouterConfig with_turn() {
    RouterConfig c;
    c.ice = IceConfig{{"stun:stun.example:3478"},
                      {"turn:turn.example:3478"},
                      "s3cret",
                      std::chrono::seconds(3600)};
    return c;
}

boost::json::array ice_list(const Response& res) {
    return boost::json::parse(res.body()).at("iceServers").as_array();
}

} // namespace

TEST_F(RouterTest, RefusesSignalingForAnUndeclaredHostName) {
    make({});
    // DNS rebinding: the page's own name, re-pointed at us, and its Origin.
    auto res = get("/socket.io/?EIO=4&transport=polling", "evil.example:3000", "10.0.0.7",
                   "http://evil.example:3000");
    EXPECT_EQ(res.result(), bh::status::forbidden);
    EXPECT_NE(res.body().find("Host not allowed"), std::string::npos);
    EXPECT_EQ(res.count(bh::field::access_control_allow_origin), 0u);
    EXPECT_EQ(get("/api/ice-servers?clientId=abcdefgh", "evil.example:3000").result(),
              bh::status::forbidden);
    auto pre = get("/socket.io/?EIO=4&transport=polling", "evil.example:3000", "10.0.0.7",
                   "http://evil.example:3000", bh::verb::options);
    EXPECT_EQ(pre.result(), bh::status::forbidden);
    EXPECT_EQ(pre.count(bh::field::access_control_allow_origin), 0u);
    auto up = upgrade("evil.example:3000", "http://evil.example:3000");
    ASSERT_TRUE(std::holds_alternative<Response>(up));
    EXPECT_EQ(std::get<Response>(up).result(), bh::status::forbidden);
    EXPECT_EQ(router->stats().forbidden_hosts, 4u);
}

TEST_F(RouterTest, AdmitsDeclaredHostsAndIpLiterals) {
    RouterConfig c;
    c.allowed_hosts = {"chat.example.org"};
    make(c);
    EXPECT_TRUE(std::holds_alternative<Router::Upgrade>(upgrade("chat.example.org:3000")));
    EXPECT_TRUE(std::holds_alternative<Router::Upgrade>(upgrade("10.0.0.5:3000")));
    EXPECT_TRUE(std::holds_alternative<Router::Upgrade>(upgrade("localhost:3000")));
    EXPECT_EQ(get("/api/ice-servers?clientId=abcdefgh", "chat.example.org").result(),
              bh::status::ok);
}

TEST_F(RouterTest, StaticFilesAndQrCodesIgnoreTheHost) {
    make({});
    EXPECT_EQ(get("/", "evil.example").result(), bh::status::ok);
    EXPECT_EQ(get("/qr.svg?text=hello", "evil.example").result(), bh::status::ok);
}

TEST_F(RouterTest, UpgradeFromAnotherSchemeIsNotSameOrigin) {
    make({});
    auto up = upgrade("127.0.0.1:3000", "https://127.0.0.1:3000");
    ASSERT_TRUE(std::holds_alternative<Response>(up));
    EXPECT_EQ(std::get<Response>(up).result(), bh::status::forbidden);
    EXPECT_TRUE(std::holds_alternative<Router::Upgrade>(
        upgrade("127.0.0.1:3000", "http://127.0.0.1:3000")));
}

TEST_F(RouterTest, PreflightFromARefusedOriginCarriesNoCorsHeaders) {
    make({});
    auto res = get("/socket.io/?EIO=4&transport=polling", "127.0.0.1:3000", "10.0.0.7",
                   "http://evil.example", bh::verb::options);
    EXPECT_EQ(res.result(), bh::status::forbidden);
    EXPECT_EQ(res.count(bh::field::access_control_allow_origin), 0u);
    EXPECT_EQ(res.count(bh::field::access_control_allow_credentials), 0u);
    EXPECT_EQ(router->stats().forbidden_origins, 1u);
}

TEST_F(RouterTest, IceServersRejectsMissingOrMalformedClientIds) {
    make(with_turn());
    for (const char* target :
         {"/api/ice-servers", "/api/ice-servers?clientId=", "/api/ice-servers?clientId=short",
          "/api/ice-servers?clientId=abcdefgh%0Aevil", "/api/ice-servers?clientId=abcd:efgh",
          "/api/ice-servers?clientId=abcdefgh&roomId=BAD%20ROOM",
          "/api/ice-servers?clientId=abcdefgh&roomId=blue&resumeToken=short"}) {
        auto res = get(target);
        EXPECT_EQ(res.result(), bh::status::bad_request) << target;
        EXPECT_NO_THROW(boost::json::parse(res.body())) << target;
    }
}

namespace {
// /api/ice-servers with the resume token where it belongs: a header.
constexpr std::string_view kHost = "127.0.0.1:3000";
constexpr std::string_view kRemote = "10.0.0.7";
} // namespace

TEST_F(RouterTest, IceServersGiveNonMembersStunOnly) {
    auto c = with_turn();
    c.is_member = [](std::string_view, std::string_view, std::string_view,
                     std::function<void(bool)> answer) { answer(false); };
    make(c);
    auto list = ice_list(get("/api/ice-servers?clientId=abcdefgh&roomId=blue", kHost, kRemote, "",
                             bh::verb::get, "Bearer wrong-token-123456"));
    ASSERT_EQ(list.size(), 1u);
    EXPECT_FALSE(list[0].as_object().contains("username"));
    // No membership check configured: nobody qualifies.
    make(with_turn());
    EXPECT_EQ(ice_list(get("/api/ice-servers?clientId=abcdefgh&roomId=blue", kHost, kRemote, "",
                           bh::verb::get, "Bearer wrong-token-123456"))
                  .size(),
              1u);
}

TEST_F(RouterTest, IceServersGiveProvenMembersTurnCredentials) {
    auto c = with_turn();
    c.is_member = [](std::string_view room, std::string_view client, std::string_view token,
                     std::function<void(bool)> answer) {
        answer(room == "blue-tiger" && client == "abcdefgh" && token == "the-right-token-1234");
    };
    make(c);
    const auto ask = [&](std::string_view auth) {
        return ice_list(get("/api/ice-servers?clientId=abcdefgh&roomId=blue-tiger", kHost, kRemote,
                            "", bh::verb::get, auth));
    };
    auto list = ask("Bearer the-right-token-1234");
    ASSERT_EQ(list.size(), 2u);
    EXPECT_TRUE(list[1].as_object().at("username").as_string().ends_with(":abcdefgh"));
    // The wrong token, or none, proves nothing.
    EXPECT_EQ(ask("Bearer wrong-token-123456").size(), 1u);
    EXPECT_EQ(ask("").size(), 1u);
}

TEST_F(RouterTest, IceServersRefuseATokenInTheUrl) {
    make(with_turn());
    // Even a valid one: a URL ends up in proxies' and browsers' logs.
    EXPECT_EQ(get("/api/ice-servers?clientId=abcdefgh&roomId=blue&resumeToken=the-right-token-1234")
                  .result(),
              bh::status::bad_request);
    EXPECT_EQ(get("/api/ice-servers?clientId=abcdefgh&roomId=blue", kHost, kRemote, "",
                  bh::verb::get, "Basic dXNlcjpwYXNz")
                  .result(),
              bh::status::bad_request);
}

TEST_F(RouterTest, IceServersAreRateLimitedPerAddress) {
    auto c = with_turn();
    c.ice_requests_per_ip = {3, 0.001};
    make(c);
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(get("/api/ice-servers?clientId=abcdefgh").result(), bh::status::ok);
    auto res = get("/api/ice-servers?clientId=abcdefgh");
    EXPECT_EQ(res.result(), bh::status::too_many_requests);
    EXPECT_NO_THROW(boost::json::parse(res.body()));
    EXPECT_EQ(get("/api/ice-servers?clientId=abcdefgh", "127.0.0.1:3000", "10.0.0.8").result(),
              bh::status::ok);
    EXPECT_EQ(router->stats().rate_limited_ice_servers, 1u);
}

TEST_F(RouterTest, QrRefusesTextOver512Bytes) {
    make({});
    EXPECT_EQ(get("/qr.svg?text=" + std::string(512, 'x')).result(), bh::status::ok);
    EXPECT_EQ(get("/qr.svg?text=" + std::string(513, 'x')).result(), bh::status::bad_request);
    EXPECT_EQ(get("/qr.svg?text=").result(), bh::status::bad_request);
    EXPECT_EQ(get("/qr.svg").result(), bh::status::bad_request);
}

TEST_F(RouterTest, QrRendersEachTextOnceThenServesItFromTheCache) {
    make({});
    const auto first = get("/qr.svg?text=https://chat.example/r/blue");
    const auto second = get("/qr.svg?text=https://chat.example/r/blue");
    EXPECT_EQ(first.body(), second.body());
    EXPECT_EQ(router->stats().qr_renders, 1u);
    EXPECT_EQ(router->stats().qr_cache_hits, 1u);
}

TEST_F(RouterTest, QrRendersAreRateLimitedButCacheHitsAreNot) {
    RouterConfig c;
    c.qr_renders_per_ip = {2, 0.001};
    make(c);
    EXPECT_EQ(get("/qr.svg?text=one").result(), bh::status::ok);
    EXPECT_EQ(get("/qr.svg?text=two").result(), bh::status::ok);
    auto res = get("/qr.svg?text=three");
    EXPECT_EQ(res.result(), bh::status::too_many_requests);
    EXPECT_EQ(res[bh::field::content_type], "application/json");
    EXPECT_NO_THROW(boost::json::parse(res.body()));
    for (int i = 0; i < 10; ++i)
        EXPECT_EQ(get("/qr.svg?text=one").result(), bh::status::ok);
    EXPECT_EQ(get("/qr.svg?text=three", "127.0.0.1:3000", "10.0.0.8").result(), bh::status::ok);
    EXPECT_EQ(router->stats().qr_rate_limited, 1u);
    EXPECT_EQ(router->stats().qr_renders, 3u);
}
