#include "server/redis/endpoint.hpp"

#include <gtest/gtest.h>

using namespace fc::redis;

namespace {
Endpoint parsed(std::string_view url) {
    auto r = parse_url(url);
    EXPECT_TRUE(r.has_value()) << url << ": " << (r.has_error() ? r.error() : "");
    return r.has_value() ? *r : Endpoint{};
}
} // namespace

TEST(RedisEndpoint, ParsesHostPortAndDb) {
    const Endpoint ep = parsed("redis://cache.internal:6380/2");
    EXPECT_EQ(ep.host, "cache.internal");
    EXPECT_EQ(ep.port, 6380);
    EXPECT_EQ(ep.db, 2);
}

TEST(RedisEndpoint, DefaultsPortAndDb) {
    const Endpoint ep = parsed("redis://10.0.0.5");
    EXPECT_EQ(ep.host, "10.0.0.5");
    EXPECT_EQ(ep.port, 6379);
    EXPECT_EQ(ep.db, 0);
    EXPECT_EQ(parsed("redis://h/").db, 0);
    EXPECT_EQ(parsed("redis://h/7").port, 6379);
    EXPECT_EQ(parsed("REDIS://h:1").port, 1); // the scheme is case-insensitive
}

TEST(RedisEndpoint, ParsesBracketedIpv6) {
    const Endpoint ep = parsed("redis://[::1]:7000/1");
    EXPECT_EQ(ep.host, "::1");
    EXPECT_EQ(ep.port, 7000);
    EXPECT_EQ(ep.db, 1);
    EXPECT_EQ(parsed("redis://[fe80::1]").port, 6379);
}

TEST(RedisEndpoint, ToStringReadsBack) {
    EXPECT_EQ(to_string(Endpoint{"h", 6379, 0}), "redis://h:6379/0");
    EXPECT_EQ(to_string(Endpoint{"::1", 7000, 3}), "redis://[::1]:7000/3");
    const Endpoint back = parsed(to_string(Endpoint{"::1", 7000, 3}));
    EXPECT_EQ(back.host, "::1");
    EXPECT_EQ(back.port, 7000);
    EXPECT_EQ(back.db, 3);
}

TEST(RedisEndpoint, RejectsBadUrlsWithAMessage) {
    for (const char* url : {"",
                            "redis:/",
                            "http://h:6379",
                            "h:6379",
                            "redis://",
                            "redis://:6379",
                            "redis://h:",
                            "redis://h:0",
                            "redis://h:65536",
                            "redis://h:12ab",
                            "redis://h:-1",
                            "redis://h/x",
                            "redis://h/-1",
                            "redis://h/1/2",
                            "redis://h/99999999999",
                            "redis://user:pw@h",
                            "redis://h?db=1",
                            "redis://h#x",
                            "redis://[::1",
                            "redis://[zz::]:1",
                            "redis://[::1]x",
                            "redis://[::1]:",
                            "redis://bad host",
                            "rediss://h"}) {
        const auto r = parse_url(url);
        EXPECT_FALSE(r.has_value()) << url;
        if (r.has_error()) {
            EXPECT_FALSE(r.error().empty()) << url;
        }
    }
    EXPECT_NE(parse_url("rediss://h").error().find("TLS"), std::string::npos);
}

TEST(RedisEndpoint, ValueThrowsTheMessage) {
    EXPECT_EQ(parse_url("redis://h:1/2").value().port, 1);
    EXPECT_THROW((void)parse_url("redis://h:0").value(), std::invalid_argument);
}
