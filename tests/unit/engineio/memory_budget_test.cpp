#include "server/engineio/memory_budget.hpp"

#include <gtest/gtest.h>

using fc::engineio::MemoryBudget;

TEST(MemoryBudget, TakesWhatFitsAndRefusesTheRest) {
    MemoryBudget b(100);
    EXPECT_TRUE(b.take(60));
    EXPECT_FALSE(b.take(41)); // nothing taken on refusal
    EXPECT_EQ(b.used(), 60u);
    EXPECT_TRUE(b.take(40));
    EXPECT_EQ(b.used(), 100u);
    EXPECT_FALSE(b.take(1));
}

TEST(MemoryBudget, GivingBackMakesRoomAndNeverUnderflows) {
    MemoryBudget b(10);
    ASSERT_TRUE(b.take(10));
    b.give(4);
    EXPECT_EQ(b.used(), 6u);
    EXPECT_TRUE(b.take(4));
    b.give(1000);
    EXPECT_EQ(b.used(), 0u);
    EXPECT_EQ(b.peak(), 10u);
}

TEST(MemoryBudget, InputMayUseOnlyHalfBeyondEachConnectionsFloor) {
    constexpr auto kFloor = MemoryBudget::kInputFloor;
    MemoryBudget b(10 * kFloor);
    EXPECT_TRUE(b.take_input(5 * kFloor, 5 * kFloor)); // one large incomplete message
    // Over the half for a connection holding more than its floor...
    EXPECT_FALSE(b.take_input(1, kFloor + 1));
    // ... but a connection within its floor still gets its bytes.
    EXPECT_TRUE(b.take_input(kFloor, kFloor));
    EXPECT_EQ(b.input_used(), 6 * kFloor);
    EXPECT_TRUE(b.take(4 * kFloor));
    EXPECT_FALSE(b.take_input(1, 1)); // the whole budget bounds even the floor
    b.give_input(6 * kFloor);
    EXPECT_EQ(b.input_used(), 0u);
    EXPECT_EQ(b.used(), 4 * kFloor);
}
