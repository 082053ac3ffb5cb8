#include "server/rooms/rate_limiter.hpp"

#include <gtest/gtest.h>

using namespace fc::rooms;
using namespace std::chrono_literals;

TEST(TokenBucket, AllowsTheBurstThenLimits) {
    const RateLimit limit{3, 1};
    const auto t0 = Clock::time_point{} + 100s;
    TokenBucket b(limit, t0);
    EXPECT_TRUE(b.take(limit, t0));
    EXPECT_TRUE(b.take(limit, t0));
    EXPECT_TRUE(b.take(limit, t0));
    EXPECT_FALSE(b.take(limit, t0));
}

TEST(TokenBucket, RefillsOverTimeUpToTheBurst) {
    const RateLimit limit{2, 10};
    const auto t0 = Clock::time_point{} + 100s;
    TokenBucket b(limit, t0);
    EXPECT_TRUE(b.take(limit, t0));
    EXPECT_TRUE(b.take(limit, t0));
    EXPECT_FALSE(b.take(limit, t0 + 50ms));
    EXPECT_TRUE(b.take(limit, t0 + 150ms));
    EXPECT_TRUE(b.full(limit, t0 + 1h));
    EXPECT_TRUE(b.take(limit, t0 + 1h));
    EXPECT_TRUE(b.take(limit, t0 + 1h));
    EXPECT_FALSE(b.take(limit, t0 + 1h)); // never more than the burst
}

TEST(TokenBucket, ZeroBurstDisablesTheLimit) {
    const RateLimit limit{0, 0};
    TokenBucket b(limit, Clock::now());
    for (int i = 0; i < 1000; ++i)
        EXPECT_TRUE(b.take(limit, Clock::now()));
}

TEST(KeyedRateLimiter, LimitsEachKeyApartAndPrunesFullBuckets) {
    KeyedRateLimiter l({2, 1});
    const auto t0 = Clock::time_point{} + 100s;
    EXPECT_TRUE(l.take("10.0.0.1", t0));
    EXPECT_TRUE(l.take("10.0.0.1", t0));
    EXPECT_FALSE(l.take("10.0.0.1", t0));
    EXPECT_TRUE(l.take("10.0.0.2", t0));
    EXPECT_EQ(l.size(), 2u);
    l.prune(t0);
    EXPECT_EQ(l.size(), 2u);
    l.prune(t0 + 10s);
    EXPECT_EQ(l.size(), 0u);
}
