#include "server/rooms/registry.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

// What the in-memory registry promises beyond the rooms contract, which
// room_directory_test.cpp checks for it with every other implementation.

using namespace fc::rooms;

namespace {
std::optional<RoomDirectory::JoinResult> join(Registry& reg, ConnId conn, std::string_view room,
                                              std::string_view client) {
    std::optional<RoomDirectory::JoinResult> out;
    reg.join(conn, JoinRequest{room, client, ""},
             [&](RoomDirectory::JoinResult j) { out.emplace(std::move(j)); });
    return out;
}
} // namespace

TEST(Registry, AnswersAJoinBeforeReturning) {
    Registry reg(64);
    auto joined = join(reg, 1, "room", "clientAA");
    ASSERT_TRUE(joined);
    EXPECT_TRUE(*joined);
}

TEST(Registry, RefusesPastTheRoomSizeItWasMadeWith) {
    Registry reg(1);
    EXPECT_EQ(reg.max_room_size(), 1u);
    ASSERT_TRUE(join(reg, 1, "room", "clientAA"));
    auto full = join(reg, 2, "room", "clientBB");
    ASSERT_TRUE(full);
    EXPECT_EQ(full->error(), Error::room_full);
}

TEST(Registry, SurvivesManyRoomsComingAndGoing) {
    // Room storage must stay valid while the room table rehashes.
    Registry reg(64);
    for (ConnId c = 1; c <= 2000; ++c) {
        auto j =
            join(reg, c, "room-" + std::to_string(c % 300), "client" + std::to_string(c) + "xx");
        ASSERT_TRUE(j && *j);
    }
    EXPECT_EQ(reg.room_count(), 300u);
    for (ConnId c = 1; c <= 2000; c += 2)
        reg.leave(c, LeaveReason::left);
    for (ConnId c = 2; c <= 2000; c += 2)
        ASSERT_NE(reg.member(c), nullptr);
    EXPECT_EQ(reg.member_count(), 1000u);
}
