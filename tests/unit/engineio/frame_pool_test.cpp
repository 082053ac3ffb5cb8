#include "server/engineio/frame_pool.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

using namespace fc::engineio;

TEST(FramePool, GivesAFrameWithTheRoomAsked) {
    auto f = FramePool::make(300);
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->bytes.empty());
    EXPECT_FALSE(f->binary);
    EXPECT_GE(f->bytes.capacity(), 300u);
}

TEST(FramePool, ReusesAFrameLetGoEmptiedWithItsRoom) {
    const Frame* first = nullptr;
    {
        auto f = FramePool::make(200);
        f->bytes.assign(200, 'x');
        f->binary = true;
        first = f.get();
    }
    auto again = FramePool::make(10);
    EXPECT_EQ(again.get(), first); // the same storage, back from the pool
    EXPECT_TRUE(again->bytes.empty());
    EXPECT_FALSE(again->binary);
    EXPECT_GE(again->bytes.capacity(), 200u);
}

TEST(FramePool, KeepsNoFrameBiggerThanItsBound) {
    { auto f = FramePool::make(FramePool::kKeepBytes + 1); }
    // Had the big one been kept, this would be it.
    EXPECT_LE(FramePool::make(10)->bytes.capacity(), FramePool::kKeepBytes);
}

TEST(FramePool, AFrameOutlivesItsLastSharedOwnerOnlyAsLongAsAWeakOne) {
    std::weak_ptr<const Frame> weak;
    {
        std::shared_ptr<const Frame> f = FramePool::make(16);
        weak = f;
        EXPECT_FALSE(weak.expired());
    }
    EXPECT_TRUE(weak.expired());
    auto next = FramePool::make(16); // the control block is still the weak one's
    EXPECT_TRUE(next->bytes.empty());
}

TEST(FramePool, KeepsNoMoreBytesInAllThanItsBound) {
    constexpr std::size_t size = FramePool::kKeepBytes / 2;
    constexpr std::size_t count = 2 * FramePool::kKeepTotalBytes / size; // twice what fits
    {
        std::vector<std::shared_ptr<Frame>> burst;
        for (std::size_t i = 0; i < count; ++i)
            burst.push_back(FramePool::make(size));
    }
    // A frame back from the pool still has its room; a new one has none.
    std::vector<std::shared_ptr<Frame>> again;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < count; ++i) {
        again.push_back(FramePool::make(1));
        kept += again.back()->bytes.capacity() >= size;
    }
    EXPECT_GT(kept, FramePool::kKeepTotalBytes / size / 2);
    EXPECT_LE(kept, FramePool::kKeepTotalBytes / size);
}
