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

TEST(MemoryBudget, InputMayUseOnlyHalf) {
    MemoryBudget b(100);
    EXPECT_TRUE(b.take_input(50));
    EXPECT_FALSE(b.take_input(1)); // what clients send cannot crowd out what is sent to them
    EXPECT_TRUE(b.take(50));
    EXPECT_EQ(b.used(), 100u);
    b.give_input(50);
    EXPECT_EQ(b.input_used(), 0u);
    EXPECT_EQ(b.used(), 50u);
}
