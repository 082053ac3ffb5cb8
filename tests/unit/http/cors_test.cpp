#include "server/http/cors.hpp"

#include <gtest/gtest.h>

using namespace fc::http;
namespace bh = boost::beast::http;

namespace {
Request request(std::string_view origin, std::string_view host = "127.0.0.1:3000",
                bh::verb method = bh::verb::get) {
    Request req{method, "/socket.io/?EIO=4&transport=polling", 11};
    req.set(bh::field::host, host);
    if (!origin.empty())
        req.set(bh::field::origin, origin);
    return req;
}
} // namespace

TEST(SameOrigin, NeedsTheSchemeThisServerSpeaks) {
    EXPECT_TRUE(same_origin("http://127.0.0.1:3000", "127.0.0.1:3000", false));
    EXPECT_FALSE(same_origin("https://127.0.0.1:3000", "127.0.0.1:3000", false));
    EXPECT_TRUE(same_origin("https://chat.example.org", "chat.example.org", true));
    // On default ports an http page and an https server share an authority.
    EXPECT_FALSE(same_origin("http://chat.example.org", "chat.example.org", true));
}

TEST(SameOrigin, IsExactNotAPrefix) {
    EXPECT_FALSE(same_origin("http://127.0.0.1:3000.evil.example", "127.0.0.1:3000", false));
    EXPECT_FALSE(same_origin("http://127.0.0.1:30001", "127.0.0.1:3000", false));
    EXPECT_FALSE(same_origin("http://127.0.0.1:3000", "127.0.0.1:3000.evil.example", false));
    EXPECT_FALSE(same_origin("http://127.0.0.1", "127.0.0.1:3000", false));
    EXPECT_FALSE(same_origin("http://user@127.0.0.1:3000", "127.0.0.1:3000", false));
    EXPECT_FALSE(same_origin("http://127.0.0.1:3000/app", "127.0.0.1:3000", false));
    EXPECT_FALSE(same_origin("http://127.0.0.1:3000", "", false));
    EXPECT_FALSE(same_origin("null", "127.0.0.1:3000", false));
    EXPECT_TRUE(same_origin("http://Chat.Example.org:3000", "chat.example.org:3000", false));
}

TEST(CorsPolicy, PreflightFromAnUnlistedOriginGetsNoCorsHeaders) {
    const CorsPolicy cors({"https://app.example.org"}, false);
    const auto res =
        cors.preflight(request("http://evil.example", "127.0.0.1:3000", bh::verb::options));
    EXPECT_EQ(res.result(), bh::status::forbidden);
    EXPECT_EQ(res.count(bh::field::access_control_allow_origin), 0u);
    EXPECT_EQ(res.count(bh::field::access_control_allow_credentials), 0u);
    EXPECT_EQ(res.count(bh::field::access_control_allow_methods), 0u);
}

TEST(CorsPolicy, PreflightFromAListedOriginIsAnswered) {
    const CorsPolicy cors({"https://app.example.org"}, false);
    const auto res =
        cors.preflight(request("https://app.example.org", "127.0.0.1:3000", bh::verb::options));
    EXPECT_EQ(res.result(), bh::status::no_content);
    EXPECT_EQ(res[bh::field::access_control_allow_origin], "https://app.example.org");
    EXPECT_EQ(res[bh::field::access_control_allow_credentials], "true");
    EXPECT_NE(res[bh::field::access_control_allow_methods].find("POST"), std::string::npos);
}

TEST(CorsPolicy, DecorateNeverEchoesARefusedOrigin) {
    const CorsPolicy cors({"https://app.example.org"}, false);
    Response res{bh::status::ok, 11};
    cors.decorate(request("http://evil.example"), res);
    EXPECT_EQ(res.count(bh::field::access_control_allow_origin), 0u);
    EXPECT_EQ(res.count(bh::field::access_control_allow_credentials), 0u);
    EXPECT_EQ(res[bh::field::vary], "Origin");
}

TEST(CorsPolicy, SameOriginIsDecoratedWithCredentials) {
    const CorsPolicy cors({}, false);
    Response res{bh::status::ok, 11};
    cors.decorate(request("http://127.0.0.1:3000"), res);
    EXPECT_EQ(res[bh::field::access_control_allow_origin], "http://127.0.0.1:3000");
    EXPECT_EQ(res[bh::field::access_control_allow_credentials], "true");
    EXPECT_FALSE(cors.allowed(request("https://127.0.0.1:3000")));
}

TEST(CorsPolicy, WildcardAdmitsAnyOriginWithoutCredentials) {
    const CorsPolicy cors({"*", "https://app.example.org"}, false);
    EXPECT_EQ(cors.match(request("http://evil.example")), CorsPolicy::Match::wildcard);
    Response res{bh::status::ok, 11};
    cors.decorate(request("http://evil.example"), res);
    EXPECT_EQ(res[bh::field::access_control_allow_origin], "http://evil.example");
    EXPECT_EQ(res.count(bh::field::access_control_allow_credentials), 0u);
    // A listed origin keeps its credentials beside the wildcard.
    Response listed{bh::status::ok, 11};
    cors.decorate(request("https://app.example.org"), listed);
    EXPECT_EQ(listed[bh::field::access_control_allow_credentials], "true");
}

TEST(CorsPolicy, RequestsWithoutOriginPassUndecorated) {
    const CorsPolicy cors({}, false);
    EXPECT_TRUE(cors.allowed(request("")));
    Response res{bh::status::ok, 11};
    cors.decorate(request(""), res);
    EXPECT_EQ(res.count(bh::field::access_control_allow_origin), 0u);
}

TEST(UrlOrigin, KeepsSchemeHostAndNonDefaultPort) {
    EXPECT_EQ(url_origin("https://Chat.Example.org/r/room?x=1"), "https://chat.example.org");
    EXPECT_EQ(url_origin("https://chat.example.org:443/"), "https://chat.example.org");
    EXPECT_EQ(url_origin("http://10.0.0.5:3000"), "http://10.0.0.5:3000");
    EXPECT_EQ(url_origin("http://[::1]:3000/"), "http://[::1]:3000");
    EXPECT_EQ(url_origin("ftp://x.example"), "");
    EXPECT_EQ(url_origin("not a url"), "");
    EXPECT_EQ(url_origin(""), "");
}
