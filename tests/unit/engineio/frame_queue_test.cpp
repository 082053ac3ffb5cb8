#include "server/engineio/frame_queue.hpp"

#include <gtest/gtest.h>

using namespace fc::engineio;

TEST(FrameQueue, IsFifoAndCountsBytes) {
    FrameQueue q;
    EXPECT_TRUE(q.empty());
    q.push(make_text_frame(PacketType::message, "ab"));
    q.push(make_text_frame(PacketType::message, "cde"));
    EXPECT_EQ(q.bytes(), 3u + 4u);
    EXPECT_EQ(q.pop()->bytes, "4ab");
    EXPECT_EQ(q.bytes(), 4u);
    q.push(make_text_frame(PacketType::ping));
    EXPECT_EQ(q.pop()->bytes, "4cde");
    EXPECT_EQ(q.pop()->bytes, "2");
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.bytes(), 0u);
}

TEST(FrameQueue, SharesOneFrameBetweenQueues) {
    auto frame = make_text_frame(PacketType::message, "broadcast");
    FrameQueue a, b;
    a.push(frame);
    b.push(frame);
    EXPECT_EQ(a.pop().get(), b.pop().get());
}

TEST(FrameQueue, ClearForgetsEverything) {
    FrameQueue q;
    for (int i = 0; i < 100; ++i)
        q.push(make_text_frame(PacketType::noop));
    q.clear();
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.bytes(), 0u);
}

TEST(FrameQueue, TakeAllHandsOverEverythingInOrder) {
    FrameQueue q;
    q.push(make_text_frame(PacketType::message, "a"));
    q.push(make_text_frame(PacketType::message, "b"));
    std::vector<FramePtr> out;
    q.take_all(out);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1]->bytes, "4b");
    EXPECT_TRUE(q.empty());
    EXPECT_EQ(q.bytes(), 0u);

    // A second batch joins a first one that was not written yet, after it.
    q.push(make_text_frame(PacketType::message, "c"));
    q.push(make_text_frame(PacketType::message, "d"));
    (void)q.pop();
    q.take_all(out);
    ASSERT_EQ(out.size(), 3u);
    EXPECT_EQ(out[0]->bytes, "4a");
    EXPECT_EQ(out[2]->bytes, "4d");
    EXPECT_TRUE(q.empty());
}
