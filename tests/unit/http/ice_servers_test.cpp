#include "server/http/ice_servers.hpp"

#include <gtest/gtest.h>

using namespace fc::http;

TEST(TurnCredential, FollowsCoturnsSharedSecretScheme) {
    // printf %s '1700000000:abcdefgh' | openssl dgst -sha1 -hmac s3cret -binary | base64
    const auto c =
        turn_credential("s3cret", "abcdefgh",
                        std::chrono::system_clock::time_point(std::chrono::seconds(1700000000)));
    EXPECT_EQ(c.username, "1700000000:abcdefgh");
    EXPECT_EQ(c.credential, "K0HTu0D4OOsPdo9+7ehA8Rqjvok=");
}

TEST(IceServers, ListStunAndTurnWithFreshCredentials) {
    IceConfig cfg{{"stun:a:1"}, {"turn:t:3478"}, "s3cret", std::chrono::seconds(600)};
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1000));
    const auto list = ice_servers_json(cfg, "abcdefgh", now);
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0].at("urls").as_array()[0].as_string(), "stun:a:1");
    EXPECT_EQ(list[1].at("username").as_string(), "1600:abcdefgh");
    EXPECT_FALSE(list[1].at("credential").as_string().empty());
}

TEST(IceServers, OmitTurnWithoutASecret) {
    IceConfig cfg{{"stun:a:1"}, {"turn:t:3478"}, "", std::chrono::seconds(600)};
    EXPECT_EQ(ice_servers_json(cfg, "abcdefgh", std::chrono::system_clock::now()).size(), 1u);
    IceConfig none{{}, {}, "", std::chrono::seconds(600)};
    EXPECT_TRUE(ice_servers_json(none, "abcdefgh", std::chrono::system_clock::now()).empty());
}

TEST(IceServers, StunOnlyListCarriesNoCredentials) {
    IceConfig cfg{{"stun:a:1"}, {"turn:t:3478"}, "s3cret", std::chrono::seconds(600)};
    const auto list = stun_servers_json(cfg);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_FALSE(list[0].as_object().contains("username"));
    EXPECT_TRUE(stun_servers_json(IceConfig{}).empty());
}
