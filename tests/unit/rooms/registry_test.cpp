#include "server/rooms/registry.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace fc::rooms;

namespace {
struct Recorder final : Notifier {
    std::vector<std::string> log;
    void peer_joined(std::span<const ConnId> to, const Member& who) override {
        log.push_back("joined " + who.client_id + " ->" + list(to));
    }
    void peer_left(std::span<const ConnId> to, std::string_view peer_id, LeaveReason r) override {
        log.push_back("left " + std::string(peer_id) + " " + std::string(to_string(r)) + " ->" +
                      list(to));
    }
    void replaced(ConnId conn) override { log.push_back("replaced " + std::to_string(conn)); }
    static std::string list(std::span<const ConnId> to) {
        std::string s;
        for (auto c : to)
            s += " " + std::to_string(c);
        return s;
    }
};

JoinRequest req(std::string_view room, std::string_view client, std::string_view name = "") {
    return {room, client, name};
}
} // namespace

TEST(Registry, JoinListsEarlierMembersAndTellsThem) {
    Recorder r;
    Registry reg(r, 64);
    auto a = reg.join(1, req("room", "clientAA", "A"));
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->peers.empty());
    const std::string a_peer = a->self->peer_id;
    auto b = reg.join(2, req("room", "clientBB", "B"));
    ASSERT_TRUE(b);
    ASSERT_EQ(b->peers.size(), 1u);
    EXPECT_EQ(b->peers[0]->peer_id, a_peer);
    EXPECT_EQ(b->peers[0]->display_name, "A");
    EXPECT_EQ(r.log.back(), "joined clientBB -> 1");
    EXPECT_EQ(reg.room_count(), 1u);
    EXPECT_EQ(reg.member_count(), 2u);
}

TEST(Registry, ReplacesAStaleMemberWithTheSameClientId) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("room", "clientAA"));
    auto old = reg.join(2, req("room", "clientBB"));
    const std::string old_peer = old->self->peer_id;
    r.log.clear();
    auto fresh = reg.join(3, req("room", "clientBB"));
    ASSERT_TRUE(fresh);
    ASSERT_EQ(r.log.size(), 3u);
    EXPECT_EQ(r.log[0], "left " + old_peer + " replaced -> 1");
    EXPECT_EQ(r.log[1], "replaced 2");
    EXPECT_EQ(r.log[2], "joined clientBB -> 1");
    EXPECT_NE(fresh->self->peer_id, old_peer);
    EXPECT_EQ(reg.member(2), nullptr);
    EXPECT_EQ(reg.counts().replacements, 1u);
}

TEST(Registry, ReplacementOfTheOnlyMemberRecreatesTheRoom) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("room", "clientAA"));
    auto again = reg.join(2, req("room", "clientAA"));
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->peers.empty());
    EXPECT_EQ(reg.room_count(), 1u);
    EXPECT_EQ(reg.member_count(), 1u);
}

TEST(Registry, RefusesAFullRoomButAdmitsAReplacement) {
    Recorder r;
    Registry reg(r, 2);
    reg.join(1, req("room", "clientAA"));
    reg.join(2, req("room", "clientBB"));
    EXPECT_EQ(reg.join(3, req("room", "clientCC")).error(), Error::room_full);
    EXPECT_TRUE(reg.join(4, req("room", "clientBB")));
}

TEST(Registry, ARefusedJoinKeepsTheCurrentRoom) {
    Recorder r;
    Registry reg(r, 1);
    reg.join(1, req("full", "clientAA"));
    reg.join(2, req("home", "clientBB"));
    EXPECT_EQ(reg.join(2, req("full", "clientBB")).error(), Error::room_full);
    ASSERT_NE(reg.member(2), nullptr);
    EXPECT_EQ(reg.member(2)->client_id, "clientBB");
}

TEST(Registry, JoiningAnotherRoomLeavesTheFirst) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("one", "clientAA"));
    auto b = reg.join(2, req("one", "clientBB"));
    const std::string b_peer = b->self->peer_id;
    reg.join(2, req("two", "clientBB"));
    EXPECT_EQ(r.log.back(), "joined clientBB ->");
    EXPECT_EQ(r.log[r.log.size() - 2], "left " + b_peer + " left -> 1");
    EXPECT_EQ(reg.room_count(), 2u);
}

TEST(Registry, RoutesOnlyWithinTheRoom) {
    Recorder r;
    Registry reg(r, 64);
    auto a = reg.join(1, req("one", "clientAA"));
    const std::string a_peer = a->self->peer_id;
    auto b = reg.join(2, req("one", "clientBB"));
    const std::string b_peer = b->self->peer_id;
    auto c = reg.join(3, req("two", "clientCC"));
    EXPECT_EQ(reg.route(2, a_peer), ConnId{1});
    EXPECT_EQ(reg.route(1, b_peer), ConnId{2});
    EXPECT_FALSE(reg.route(3, a_peer));
    EXPECT_FALSE(reg.route(1, a_peer)); // not to oneself
    EXPECT_FALSE(reg.route(9, a_peer)); // not from outside any room
    EXPECT_FALSE(reg.route(1, "p_nobody"));
}

TEST(Registry, LeavesWithTheirReasonsAndDropsEmptyRooms) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("room", "clientAA"));
    auto b = reg.join(2, req("room", "clientBB"));
    const std::string b_peer = b->self->peer_id;
    EXPECT_TRUE(reg.leave(2, LeaveReason::disconnected));
    EXPECT_EQ(r.log.back(), "left " + b_peer + " disconnected -> 1");
    EXPECT_FALSE(reg.leave(2, LeaveReason::left));
    EXPECT_TRUE(reg.leave(1, LeaveReason::left));
    EXPECT_EQ(reg.room_count(), 0u);
    EXPECT_EQ(reg.member_count(), 0u);
}

TEST(Registry, SurvivesManyRoomsComingAndGoing) {
    // Room storage must stay valid while the room table rehashes.
    Recorder r;
    Registry reg(r, 64);
    for (ConnId c = 1; c <= 2000; ++c)
        ASSERT_TRUE(reg.join(
            c, req("room-" + std::to_string(c % 300), "client" + std::to_string(c) + "xx")));
    EXPECT_EQ(reg.room_count(), 300u);
    for (ConnId c = 1; c <= 2000; c += 2)
        reg.leave(c, LeaveReason::left);
    for (ConnId c = 2; c <= 2000; c += 2)
        ASSERT_NE(reg.member(c), nullptr);
    EXPECT_EQ(reg.member_count(), 1000u);
}
