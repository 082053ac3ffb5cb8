#include "server/engineio/session_id.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace fc::engineio;

TEST(SessionId, Is22Base64UrlCharacters) {
    const auto id = random_id();
    EXPECT_EQ(id.size(), 22u);
    EXPECT_EQ(
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
}

TEST(SessionId, DoesNotRepeat) {
    std::set<std::string> ids;
    for (int i = 0; i < 10000; ++i)
        ids.insert(random_id());
    EXPECT_EQ(ids.size(), 10000u);
}
