#include "server/rooms/registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
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
        for (auto c : to) {
            s += ' ';
            s += std::to_string(c);
        }
        return s;
    }
};

JoinRequest req(std::string_view room, std::string_view client, std::string_view name = "") {
    return {room, client, name};
}

JoinRequest with_token(std::string_view room, std::string_view client, std::string_view token) {
    return {room, client, "", token};
}

constexpr std::string_view kTokenA = "tokenAAAAAAAAAAAAAAA";
constexpr std::string_view kTokenB = "tokenBBBBBBBBBBBBBBB";

// A clock the test moves by hand.
struct FakeClock {
    Clock::time_point now{};
    std::function<Clock::time_point()> fn() {
        return [this] { return now; };
    }
};
} // namespace

TEST(Registry, JoinListsEarlierMembersAndTellsThem) {
    Recorder r;
    Registry reg(r, 64);
    auto a = reg.join(1, req("room", "clientAA", "A"));
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->peers.empty());
    const std::string a_peer = a->self.peer_id;
    auto b = reg.join(2, req("room", "clientBB", "B"));
    ASSERT_TRUE(b);
    ASSERT_EQ(b->peers.size(), 1u);
    EXPECT_EQ(b->peers[0].peer_id, a_peer);
    EXPECT_EQ(b->peers[0].display_name, "A");
    EXPECT_EQ(r.log.back(), "joined clientBB -> 1");
    EXPECT_EQ(reg.room_count(), 1u);
    EXPECT_EQ(reg.member_count(), 2u);
}

TEST(Registry, ReplacesAStaleMemberWithTheSameClientId) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("room", "clientAA"));
    auto old = reg.join(2, req("room", "clientBB"));
    const std::string old_peer = old->self.peer_id;
    r.log.clear();
    auto fresh = reg.join(3, req("room", "clientBB"));
    ASSERT_TRUE(fresh);
    ASSERT_EQ(r.log.size(), 3u);
    EXPECT_EQ(r.log[0], "left " + old_peer + " replaced -> 1");
    EXPECT_EQ(r.log[1], "replaced 2");
    EXPECT_EQ(r.log[2], "joined clientBB -> 1");
    EXPECT_NE(fresh->self.peer_id, old_peer);
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
    const std::string b_peer = b->self.peer_id;
    reg.join(2, req("two", "clientBB"));
    EXPECT_EQ(r.log.back(), "joined clientBB ->");
    EXPECT_EQ(r.log[r.log.size() - 2], "left " + b_peer + " left -> 1");
    EXPECT_EQ(reg.room_count(), 2u);
}

TEST(Registry, RoutesOnlyWithinTheRoom) {
    Recorder r;
    Registry reg(r, 64);
    auto a = reg.join(1, req("one", "clientAA"));
    const std::string a_peer = a->self.peer_id;
    auto b = reg.join(2, req("one", "clientBB"));
    const std::string b_peer = b->self.peer_id;
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
    const std::string b_peer = b->self.peer_id;
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

TEST(Registry, RefusesATakenClientIdWithoutItsTokenAndChangesNothing) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("room", "clientAA"));
    auto victim = reg.join(2, with_token("room", "clientBB", kTokenA));
    ASSERT_TRUE(victim);
    r.log.clear();
    EXPECT_EQ(reg.join(3, req("room", "clientBB")).error(), Error::client_id_taken);
    EXPECT_EQ(reg.join(3, with_token("room", "clientBB", kTokenB)).error(), Error::client_id_taken);
    EXPECT_TRUE(r.log.empty()); // no replaced, no peer-left, no peer-joined
    ASSERT_NE(reg.member(2), nullptr);
    EXPECT_EQ(reg.member(2)->peer_id, victim->self.peer_id);
    EXPECT_EQ(reg.member(3), nullptr);
    EXPECT_EQ(reg.member_count(), 2u);
    EXPECT_EQ(reg.counts().replacements, 0u);
}

TEST(Registry, ReplacesATokenHolderThatComesBackWithItsToken) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("room", "clientAA"));
    auto old = reg.join(2, with_token("room", "clientBB", kTokenA));
    r.log.clear();
    auto fresh = reg.join(3, with_token("room", "clientBB", kTokenA));
    ASSERT_TRUE(fresh);
    ASSERT_EQ(r.log.size(), 3u);
    EXPECT_EQ(r.log[0], "left " + old->self.peer_id + " replaced -> 1");
    EXPECT_EQ(r.log[1], "replaced 2");
    EXPECT_EQ(r.log[2], "joined clientBB -> 1");
}

TEST(Registry, OnlyATokenProtectsAnIdentity) {
    // Without a token the contract's rule holds: replaced at once, by
    // anyone, token or not; the replacement's token protects it from then on.
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("room", "clientAA"));
    reg.join(2, req("room", "clientBB"));
    EXPECT_TRUE(reg.join(3, req("room", "clientBB")));
    EXPECT_TRUE(reg.join(4, with_token("room", "clientBB", kTokenB)));
    EXPECT_EQ(reg.member(3), nullptr);
    EXPECT_EQ(reg.join(5, req("room", "clientBB")).error(), Error::client_id_taken);
}

TEST(Registry, ChecksTheClientIdBeforeTheRoomsCapacity) {
    Recorder r;
    Registry reg(r, 2);
    reg.join(1, with_token("room", "clientAA", kTokenA));
    reg.join(2, req("room", "clientBB"));
    // A full room used to admit anyone naming a member's clientId.
    EXPECT_EQ(reg.join(3, req("room", "clientAA")).error(), Error::client_id_taken);
    EXPECT_EQ(reg.join(3, req("room", "clientCC")).error(), Error::room_full);
    EXPECT_TRUE(reg.join(3, with_token("room", "clientAA", kTokenA)));
    EXPECT_EQ(reg.member_count(), 2u);
}

TEST(Registry, ARefusedClientIdKeepsTheCurrentRoom) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, with_token("one", "clientAA", kTokenA));
    reg.join(2, req("two", "clientBB"));
    r.log.clear();
    EXPECT_EQ(reg.join(2, req("one", "clientAA")).error(), Error::client_id_taken);
    ASSERT_NE(reg.member(2), nullptr);
    EXPECT_EQ(reg.member(2)->client_id, "clientBB");
    EXPECT_TRUE(r.log.empty());
}

TEST(Registry, AConnectionMayJoinItsOwnRoomAgainAsItself) {
    // Its own seat is not someone else's identity: no token needed.
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("room", "clientAA"));
    auto first = reg.join(2, with_token("room", "clientBB", kTokenA));
    r.log.clear();
    auto again = reg.join(2, req("room", "clientBB"));
    ASSERT_TRUE(again);
    ASSERT_EQ(r.log.size(), 2u);
    EXPECT_EQ(r.log[0], "left " + first->self.peer_id + " left -> 1");
    EXPECT_EQ(r.log[1], "joined clientBB -> 1");
    EXPECT_EQ(reg.member_count(), 2u);
}

TEST(Registry, ReservesTheClientIdOfADisconnectedTokenHolder) {
    Recorder r;
    FakeClock clock;
    Registry reg(r, 64, clock.fn());
    reg.join(1, req("room", "clientAA"));
    reg.join(2, with_token("room", "clientBB", kTokenA));
    reg.leave(2, LeaveReason::disconnected);
    r.log.clear();
    clock.now += Registry::kReservationGrace - std::chrono::seconds(1);
    EXPECT_EQ(reg.join(3, req("room", "clientBB")).error(), Error::client_id_taken);
    EXPECT_EQ(reg.join(3, with_token("room", "clientBB", kTokenB)).error(), Error::client_id_taken);
    EXPECT_TRUE(r.log.empty());
    auto back = reg.join(4, with_token("room", "clientBB", kTokenA));
    ASSERT_TRUE(back);
    EXPECT_EQ(r.log.back(), "joined clientBB -> 1");
    EXPECT_TRUE(reg.holds("room", "clientBB", kTokenA));
}

TEST(Registry, AReservationIsUsedUpByItsOwnersReturn) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("room", "clientAA"));
    reg.join(2, with_token("room", "clientBB", kTokenA));
    reg.leave(2, LeaveReason::disconnected);
    reg.join(3, with_token("room", "clientBB", kTokenA));
    reg.leave(3, LeaveReason::left); // said goodbye: keeps nothing
    EXPECT_TRUE(reg.join(4, req("room", "clientBB")));
}

TEST(Registry, ReservesNothingForALeaveOrATokenlessMember) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, req("room", "clientAA"));
    reg.join(2, with_token("room", "clientBB", kTokenA));
    reg.join(3, req("room", "clientCC"));
    reg.leave(2, LeaveReason::left);
    reg.leave(3, LeaveReason::disconnected);
    EXPECT_TRUE(reg.join(4, req("room", "clientBB")));
    EXPECT_TRUE(reg.join(5, req("room", "clientCC")));
}

TEST(Registry, AReservationEndsAfterTheGracePeriod) {
    Recorder r;
    FakeClock clock;
    Registry reg(r, 64, clock.fn());
    reg.join(1, req("room", "clientAA"));
    reg.join(2, with_token("room", "clientBB", kTokenA));
    reg.leave(2, LeaveReason::disconnected);
    clock.now += Registry::kReservationGrace;
    EXPECT_TRUE(reg.join(3, req("room", "clientBB")));
}

TEST(Registry, ReservationsOutliveAnEmptiedRoomUntilTheyExpire) {
    // Two people, one offline: the other leaving must not free the offline
    // one's identity for whoever comes next.
    Recorder r;
    FakeClock clock;
    Registry reg(r, 64, clock.fn());
    reg.join(1, req("room", "clientAA"));
    reg.join(2, with_token("room", "clientBB", kTokenA));
    reg.leave(2, LeaveReason::disconnected);
    reg.leave(1, LeaveReason::left);
    EXPECT_EQ(reg.room_count(), 0u);
    EXPECT_EQ(reg.join(3, with_token("room", "clientBB", kTokenB)).error(), Error::client_id_taken);
    EXPECT_EQ(reg.room_count(), 0u);
    EXPECT_TRUE(reg.join(4, with_token("room", "clientBB", kTokenA))); // its owner
    reg.leave(4, LeaveReason::disconnected); // the room empties again, reserving
    clock.now += Registry::kReservationGrace;
    EXPECT_TRUE(reg.join(5, req("room", "clientBB"))); // expired, pruned
}

TEST(Registry, WhenFullTheShortestStayingReservationGivesWay) {
    Recorder r;
    FakeClock clock;
    Registry reg(r, 2, clock.fn());
    reg.join(1, req("room", "clientAA"));
    const auto stay = [&](ConnId c, const char* id, std::chrono::seconds how_long) {
        ASSERT_TRUE(reg.join(c, with_token("room", id, kTokenA)));
        clock.now += how_long;
        reg.leave(c, LeaveReason::disconnected);
    };
    stay(10, "clientX1", std::chrono::seconds(60)); // someone who was really there
    stay(11, "clientX2", std::chrono::seconds(0));
    stay(12, "clientX3", std::chrono::seconds(1)); // full: X2 stayed shorter, it goes
    stay(13, "clientX4", std::chrono::seconds(0)); // full: stayed no longer than anyone
    // A member cycling through clientIds never pushes out X1.
    for (ConnId c = 20; c < 30; ++c)
        stay(c, ("clientY" + std::to_string(c)).c_str(), std::chrono::seconds(0));
    EXPECT_EQ(reg.join(40, req("room", "clientX1")).error(), Error::client_id_taken);
    EXPECT_EQ(reg.join(40, req("room", "clientX3")).error(), Error::client_id_taken);
    EXPECT_TRUE(reg.join(40, req("room", "clientX2")));
    reg.leave(40, LeaveReason::left); // (a room of two)
    EXPECT_TRUE(reg.join(41, req("room", "clientX4")));
}

TEST(Registry, HoldsOnlyForAMemberWithTheMatchingToken) {
    Recorder r;
    Registry reg(r, 64);
    reg.join(1, with_token("room", "clientAA", kTokenA));
    reg.join(2, req("room", "clientBB"));
    EXPECT_TRUE(reg.holds("room", "clientAA", kTokenA));
    EXPECT_FALSE(reg.holds("room", "clientAA", kTokenB));
    EXPECT_FALSE(reg.holds("room", "clientAA", ""));
    EXPECT_FALSE(reg.holds("other", "clientAA", kTokenA));
    EXPECT_FALSE(reg.holds("room", "clientCC", kTokenA));
    EXPECT_FALSE(reg.holds("room", "clientBB", "")); // no token, nothing held
    reg.leave(1, LeaveReason::disconnected);
    EXPECT_FALSE(reg.holds("room", "clientAA", kTokenA)); // reserved is not held
}

namespace {
// The old synchronous teardown: a send to a member whose queue is full
// closes its session at once, which leaves the room from inside the
// notification. Walks each recipient list the way a Notifier does, while
// that happens.
struct Reentrant final : Notifier {
    Registry* reg = nullptr;
    ConnId kill = 0;                    // whose send fails (once)
    std::map<ConnId, std::string> self; // conn -> its peer id
    std::map<ConnId, std::vector<std::string>> heard;
    bool told_about_itself = false;

    void fail(ConnId c) {
        if (c == kill) {
            kill = 0;
            reg->leave(c, LeaveReason::disconnected);
        }
    }
    void peer_joined(std::span<const ConnId> to, const Member& who) override {
        for (std::size_t i = 0; i < to.size(); ++i) {
            const ConnId c = to[i];
            told_about_itself |= c == who.conn;
            heard[c].push_back("joined " + who.peer_id);
            fail(c);
        }
    }
    void peer_left(std::span<const ConnId> to, std::string_view peer_id, LeaveReason) override {
        for (std::size_t i = 0; i < to.size(); ++i) {
            const ConnId c = to[i];
            told_about_itself |= self[c] == peer_id;
            heard[c].push_back("left " + std::string(peer_id));
            fail(c);
        }
    }
    void replaced(ConnId c) override { fail(c); }
};
} // namespace

TEST(Registry, ALeaveFromInsidePeerJoinedTellsEveryRemainingMember) {
    Reentrant n;
    Registry reg(n, 64);
    n.reg = &reg;
    for (ConnId c = 1; c <= 4; ++c)
        n.self[c] = reg.join(c, req("room", "client0" + std::to_string(c)))->self.peer_id;
    n.heard.clear();
    n.kill = 1; // the first one told about the newcomer goes away meanwhile
    auto fresh = reg.join(5, req("room", "clientNEW"));
    ASSERT_TRUE(fresh);
    n.self[5] = fresh->self.peer_id;
    EXPECT_EQ(fresh->peers.size(), 4u); // as the room was when it joined
    EXPECT_FALSE(n.told_about_itself);
    for (ConnId c = 2; c <= 4; ++c) {
        const auto& h = n.heard[c];
        EXPECT_NE(std::find(h.begin(), h.end(), "joined " + fresh->self.peer_id), h.end()) << c;
        EXPECT_NE(std::find(h.begin(), h.end(), "left " + n.self[1]), h.end()) << c;
    }
    const auto& newcomer = n.heard[5];
    EXPECT_NE(std::find(newcomer.begin(), newcomer.end(), "left " + n.self[1]), newcomer.end());
    EXPECT_EQ(reg.member(1), nullptr);
    ASSERT_NE(reg.member(5), nullptr);
    EXPECT_EQ(reg.member_count(), 4u);
}

TEST(Registry, ALeaveFromInsidePeerLeftTellsEveryRemainingMember) {
    Reentrant n;
    Registry reg(n, 64);
    n.reg = &reg;
    for (ConnId c = 1; c <= 4; ++c)
        n.self[c] = reg.join(c, req("room", "client0" + std::to_string(c)))->self.peer_id;
    n.heard.clear();
    n.kill = 2;
    EXPECT_TRUE(reg.leave(1, LeaveReason::left));
    EXPECT_FALSE(n.told_about_itself);
    for (ConnId c = 3; c <= 4; ++c) {
        const auto& h = n.heard[c];
        EXPECT_NE(std::find(h.begin(), h.end(), "left " + n.self[1]), h.end()) << c;
        EXPECT_NE(std::find(h.begin(), h.end(), "left " + n.self[2]), h.end()) << c;
    }
    EXPECT_EQ(reg.member_count(), 2u);
}

TEST(Registry, SurvivesTheRoomEmptyingDuringItsOwnNotifications) {
    // The only member goes away while hearing of the newcomer, and the
    // replaced member while hearing it was replaced: the Room those
    // notifications came from is freed under them.
    Reentrant n;
    Registry reg(n, 64);
    n.reg = &reg;
    reg.join(1, req("room", "clientAA"));
    n.kill = 1;
    auto b = reg.join(2, req("room", "clientBB"));
    ASSERT_TRUE(b);
    EXPECT_EQ(b->peers.size(), 1u);
    ASSERT_NE(reg.member(2), nullptr);
    EXPECT_EQ(reg.member_count(), 1u);

    n.kill = 0;
    reg.join(3, req("room", "clientCC"));
    n.kill = 3; // goes while hearing that clientBB's old seat was replaced
    auto again = reg.join(4, req("room", "clientBB"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->peers.size(), 1u);
    EXPECT_EQ(reg.member(2), nullptr);
    EXPECT_EQ(reg.member(3), nullptr);
    ASSERT_NE(reg.member(4), nullptr);
    EXPECT_EQ(reg.member(4)->peer_id, again->self.peer_id);
    EXPECT_EQ(reg.member_count(), 1u);
    EXPECT_EQ(reg.room_count(), 1u);
}
