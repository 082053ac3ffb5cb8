#include "server/http/qr_cache.hpp"

#include <gtest/gtest.h>

using namespace fc::http;

TEST(QrCache, FindsWhatWasPut) {
    QrCache cache(2);
    EXPECT_EQ(cache.find("a"), nullptr);
    cache.put("a", "<svg a>");
    ASSERT_NE(cache.find("a"), nullptr);
    EXPECT_EQ(*cache.find("a"), "<svg a>");
}

TEST(QrCache, DropsTheLeastRecentlyUsedBeyondCapacity) {
    QrCache cache(2);
    cache.put("a", "A");
    cache.put("b", "B");
    ASSERT_NE(cache.find("a"), nullptr); // "b" is now the oldest
    cache.put("c", "C");
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.find("b"), nullptr);
    EXPECT_NE(cache.find("a"), nullptr);
    EXPECT_NE(cache.find("c"), nullptr);
}

TEST(QrCache, ReplacingAnEntryKeepsOneCopy) {
    QrCache cache(2);
    cache.put("a", "old");
    cache.put("a", "new");
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(*cache.find("a"), "new");
}

TEST(QrCache, ZeroCapacityCachesNothing) {
    QrCache cache(0);
    cache.put("a", "A");
    EXPECT_EQ(cache.find("a"), nullptr);
}
