#include "server/http/host_policy.hpp"

#include <gtest/gtest.h>

using namespace fc::http;

TEST(HostHeader, SplitsNameAndPort) {
    auto h = parse_host_header("Chat.Example.ORG.:3000");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->name, "chat.example.org");
    EXPECT_FALSE(h->ip);
    h = parse_host_header("10.0.0.5:3000");
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->ip);
    h = parse_host_header("[::1]:3000");
    ASSERT_TRUE(h);
    EXPECT_EQ(h->name, "[::1]");
    EXPECT_TRUE(h->ip);
}

TEST(HostHeader, RefusesMalformedHeaders) {
    for (const char* bad :
         {"", ":3000", "127.0.0.1:3000.evil.example", "127.0.0.1:", "a b", "evil.example:80:80",
          "[::1", "[not-ip]:3000", "[::1]x", "[::1]:12345678", "user@host", "host/path", ".", "a..b",
          ".a", "127.001..:3040", "a..."})
        EXPECT_FALSE(parse_host_header(bad)) << bad;
}

TEST(HostHeader, OnlyDottedDecimalCountsAsIpv4) {
    EXPECT_TRUE(parse_host_header("127.0.0.1")->ip);
    EXPECT_FALSE(parse_host_header("2130706433")->ip);
    EXPECT_FALSE(parse_host_header("127.1")->ip);
    EXPECT_FALSE(parse_host_header("1.2.3.4.evil.example")->ip);
}

TEST(HostPolicy, AdmitsIpLiteralsAndLocalhost) {
    const HostPolicy p({});
    EXPECT_TRUE(p.allowed("127.0.0.1:3000"));
    EXPECT_TRUE(p.allowed("10.0.0.5:3000"));
    EXPECT_TRUE(p.allowed("[::1]:3000"));
    EXPECT_TRUE(p.allowed("[fe80::1]"));
    EXPECT_TRUE(p.allowed("localhost:3000"));
    EXPECT_TRUE(p.allowed("LOCALHOST"));
}

TEST(HostPolicy, RefusesUndeclaredNamesAgainstDnsRebinding) {
    const HostPolicy p({"chat.example.org"});
    EXPECT_FALSE(p.allowed("evil.example:3000"));
    EXPECT_FALSE(p.allowed("chat.example.org.evil.example"));
    EXPECT_FALSE(p.allowed("localhost.evil.example"));
    EXPECT_FALSE(p.allowed("127.0.0.1.evil.example"));
    EXPECT_FALSE(p.allowed("127.0.0.1:3000.evil.example"));
    EXPECT_FALSE(p.allowed(""));
    EXPECT_TRUE(p.allowed("chat.example.org"));
    EXPECT_TRUE(p.allowed("Chat.Example.org:443"));
    EXPECT_TRUE(p.allowed("chat.example.org."));
}

TEST(HostPolicy, StarDisablesTheCheck) {
    const HostPolicy p({"*"});
    EXPECT_TRUE(p.allowed("evil.example:3000"));
    EXPECT_TRUE(p.allowed(""));
}

TEST(UrlHost, TakesTheHostOfHttpUrls) {
    EXPECT_EQ(url_host("https://Chat.Example.org:8443/r/x"), "chat.example.org");
    EXPECT_EQ(url_host("http://[::1]:3000/"), "[::1]");
    EXPECT_EQ(url_host("http://10.0.0.5:3000"), "10.0.0.5");
    EXPECT_EQ(url_host("mailto:someone@example.org"), "");
    EXPECT_EQ(url_host(""), "");
}
