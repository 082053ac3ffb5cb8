#include "server/rooms/room_directory.hpp"

#include "server/rooms/registry.hpp"

#include "tests/unit/cluster/redis_node.hpp"
#include "tests/unit/rooms/recorder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

// The rooms contract, as tests every RoomDirectory passes. Each
// implementation is one INSTANTIATE_TEST_SUITE_P line at the bottom.

using namespace fc::rooms;
using namespace fc::rooms::test;

namespace {

using ClockFn = std::function<Clock::time_point()>;

// One implementation under test: how to make one (empty, with this room
// size and clock), and how to let it finish what it started: a shared
// registry answers joins once its store has, the in-memory one at once.
struct Implementation {
    std::string name;
    std::function<std::unique_ptr<RoomDirectory>(std::size_t max_room_size, ClockFn clock)> make;
    std::function<void()> settle = [] {};
    // Why it cannot run on this machine (then its tests are skipped); empty: it can.
    std::function<std::string()> unavailable = [] { return std::string(); };
};

// Test names carry the implementation's name; so do failure messages.
void PrintTo(const Implementation& implementation, std::ostream* os) {
    *os << implementation.name;
}

Implementation in_memory() {
    return {"InMemory", [](std::size_t max_room_size, ClockFn clock) {
                return std::make_unique<Registry>(max_room_size, std::move(clock));
            }};
}

// The cluster's directory, alone on a real redis-server (started once, for
// every test; each directory starts on an emptied database). Its io_context
// and Redis connections live in the directory handed out, which forwards
// every call; settle() runs that io_context until the joins asked for were
// answered and what they published has arrived.
class RedisBacked final : public RoomDirectory {
public:
    struct Shared {
        std::unique_ptr<fc::redis::test::RedisServer> server;
        std::string failed; // why it could not be started
        RedisBacked* current = nullptr;
        unsigned made = 0;
    };

    RedisBacked(std::shared_ptr<Shared> shared, std::size_t max_room_size, ClockFn clock)
        : shared_(std::move(shared)),
          node_(io_, *shared_->server,
                fc::cluster::test::settings(fc::cluster::test::node_tag(shared_->made++),
                                            max_room_size),
                with_real_time(std::move(clock))) {
        shared_->current = this;
        EXPECT_TRUE(fc::cluster::test::flush(*shared_->server));
        EXPECT_TRUE(node_.start(io_)) << "the directory never reached Redis";
    }
    ~RedisBacked() override {
        if (shared_->current == this)
            shared_->current = nullptr;
    }

    void settle() {
        EXPECT_TRUE(fc::cluster::test::settle(io_, [this] { return answers_due_ == 0; }))
            << answers_due_ << " joins unanswered";
    }

    void set_notifier(Notifier* notifier) override { node_.directory.set_notifier(notifier); }
    void join(ConnId conn, const JoinRequest& req, JoinHandler done) override {
        ++answers_due_;
        node_.directory.join(conn, req, [this, done = std::move(done)](JoinResult r) {
            --answers_due_;
            done(std::move(r));
        });
    }
    bool leave(ConnId conn, LeaveReason reason) override {
        return node_.directory.leave(conn, reason);
    }
    std::optional<ConnId> route(ConnId from, std::string_view peer_id) const override {
        return node_.directory.route(from, peer_id);
    }
    bool forward(ConnId from, std::string_view peer_id, std::string_view event_json,
                 std::span<const std::string> attachments) override {
        return node_.directory.forward(from, peer_id, event_json, attachments);
    }
    const Member* member(ConnId conn) const override { return node_.directory.member(conn); }
    bool holds(std::string_view room_id, std::string_view client_id,
               std::string_view token) const override {
        return node_.directory.holds(room_id, client_id, token);
    }
    void check_holds(std::string_view room_id, std::string_view client_id, std::string_view token,
                     std::function<void(bool)> answer) const override {
        node_.directory.check_holds(room_id, client_id, token, std::move(answer));
    }
    std::size_t room_count() const override { return node_.directory.room_count(); }
    std::size_t member_count() const override { return node_.directory.member_count(); }
    Counts counts() const override { return node_.directory.counts(); }

private:
    // Redis' clock does not stand still while the test's does: the
    // directory gets the test's clock plus the real time gone by, so that
    // what the test moves it by is exactly the skew it hands Redis. (On the
    // test's clock alone, a hand-moved 10 minutes would come out a little
    // short or long: by however long each script took to reach Redis.)
    static ClockFn with_real_time(ClockFn clock) {
        return [clock = std::move(clock), start = Clock::now()] {
            return clock() + (Clock::now() - start);
        };
    }

    std::shared_ptr<Shared> shared_;
    boost::asio::io_context io_{1}; // before the node: destroyed after it
    fc::cluster::test::Node node_;
    int answers_due_ = 0;
};

Implementation redis_backed() {
    auto shared = std::make_shared<RedisBacked::Shared>();
    auto available = [shared] {
        if (!shared->server && shared->failed.empty()) {
            if (!fc::redis::test::redis_available()) {
                shared->failed = std::string(fc::redis::test::kRedisServer) +
                                 " is missing (scripts/deps.sh test installs redis-server)";
            } else {
                shared->server = std::make_unique<fc::redis::test::RedisServer>();
                if (!shared->server->start())
                    shared->failed = "redis-server did not answer";
            }
        }
        return shared->failed;
    };
    return {"Redis",
            [shared](std::size_t max_room_size, ClockFn clock) {
                return std::make_unique<RedisBacked>(shared, max_room_size, std::move(clock));
            },
            [shared] {
                if (shared->current)
                    shared->current->settle();
            },
            available};
}

JoinRequest with_token(std::string_view room, std::string_view client, std::string_view token) {
    return {room, client, "", token};
}

constexpr std::string_view kTokenA = "tokenAAAAAAAAAAAAAAA";
constexpr std::string_view kTokenB = "tokenBBBBBBBBBBBBBBB";
constexpr auto kGrace = RoomDirectory::kReservationGrace;

class RoomDirectoryContract : public testing::TestWithParam<Implementation> {
protected:
    void SetUp() override {
        if (const auto why = GetParam().unavailable(); !why.empty())
            GTEST_SKIP() << why;
    }

    // A directory telling `notifier` (the recorder unless given), on a
    // clock the test moves by hand.
    RoomDirectory& make(std::size_t max_room_size, Notifier* notifier = nullptr) {
        dir_ = GetParam().make(max_room_size, [this] { return now; });
        dir_->set_notifier(notifier ? notifier : &rec);
        return *dir_;
    }

    // A join, waited for; its handler must run exactly once.
    RoomDirectory::JoinResult join(ConnId conn, const JoinRequest& r) {
        int calls = 0;
        std::optional<RoomDirectory::JoinResult> out;
        dir_->join(conn, r, [&](RoomDirectory::JoinResult j) {
            ++calls;
            out.emplace(std::move(j));
        });
        GetParam().settle();
        EXPECT_EQ(calls, 1) << "the join handler ran " << calls << " times";
        if (!out)
            return Error::bad_request; // (reported above)
        return std::move(*out);
    }
    std::string peer_of(ConnId conn, const JoinRequest& r) {
        auto j = join(conn, r);
        return j ? j->self.peer_id : std::string("(refused)");
    }

    Recorder rec;
    Clock::time_point now{};

private:
    std::unique_ptr<RoomDirectory> dir_;
};

} // namespace

// --- joins and their acknowledgement -----------------------------------------

TEST_P(RoomDirectoryContract, JoinListsEarlierMembersInJoinOrderAndTellsThem) {
    auto& reg = make(64);
    auto a = join(1, req("room", "clientAA", "A"));
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->peers.empty());
    EXPECT_EQ(a->self.client_id, "clientAA");
    EXPECT_EQ(a->self.display_name, "A");
    EXPECT_EQ(a->self.conn, ConnId{1});
    EXPECT_TRUE(rec.log.empty()); // no one there to tell
    auto b = join(2, req("room", "clientBB", "B"));
    ASSERT_TRUE(b);
    ASSERT_EQ(b->peers.size(), 1u);
    EXPECT_EQ(b->peers[0].peer_id, a->self.peer_id);
    EXPECT_EQ(b->peers[0].client_id, "clientAA");
    EXPECT_EQ(b->peers[0].display_name, "A");
    EXPECT_EQ(rec.log.back(), "joined clientBB -> 1");
    auto c = join(3, req("room", "clientCC", "C"));
    ASSERT_TRUE(c);
    ASSERT_EQ(c->peers.size(), 2u);
    EXPECT_EQ(c->peers[0].peer_id, a->self.peer_id);
    EXPECT_EQ(c->peers[1].peer_id, b->self.peer_id);
    EXPECT_EQ(rec.log.back(), "joined clientCC -> 1 2");
    EXPECT_EQ(reg.room_count(), 1u);
    EXPECT_EQ(reg.member_count(), 3u);
    EXPECT_EQ(reg.counts().joins, 3u);
}

TEST_P(RoomDirectoryContract, GivesEveryJoinAFreshPeerId) {
    make(64);
    const auto first = peer_of(1, req("room", "clientAA"));
    const auto again = peer_of(1, req("room", "clientAA"));
    const auto other = peer_of(2, req("elsewhere", "clientAA"));
    EXPECT_NE(first, again);
    EXPECT_NE(first, other);
    EXPECT_NE(again, other);
}

TEST_P(RoomDirectoryContract, KnowsWhichMemberAConnectionIs) {
    auto& reg = make(64);
    auto a = join(1, req("room", "clientAA", "A"));
    ASSERT_NE(reg.member(1), nullptr);
    EXPECT_EQ(reg.member(1)->peer_id, a->self.peer_id);
    EXPECT_EQ(reg.member(1)->client_id, "clientAA");
    EXPECT_EQ(reg.member(1)->display_name, "A");
    EXPECT_EQ(reg.member(2), nullptr);
}

// --- peer-left and its reasons ---------------------------------------------------

TEST_P(RoomDirectoryContract, LeavesWithTheirReasonsAndDropsEmptyRooms) {
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    const auto b = peer_of(2, req("room", "clientBB"));
    const auto c = peer_of(3, req("room", "clientCC"));
    EXPECT_TRUE(reg.leave(2, LeaveReason::disconnected));
    EXPECT_EQ(rec.log.back(), "left " + b + " disconnected -> 1 3");
    EXPECT_FALSE(reg.leave(2, LeaveReason::left)); // in no room any more
    EXPECT_EQ(reg.member(2), nullptr);
    EXPECT_TRUE(reg.leave(3, LeaveReason::left));
    EXPECT_EQ(rec.log.back(), "left " + c + " left -> 1");
    const auto told = rec.log.size();
    EXPECT_TRUE(reg.leave(1, LeaveReason::left)); // the last one: no one to tell
    EXPECT_EQ(rec.log.size(), told);
    EXPECT_EQ(reg.room_count(), 0u);
    EXPECT_EQ(reg.member_count(), 0u);
    EXPECT_EQ(reg.counts().leaves, 3u);
}

TEST_P(RoomDirectoryContract, ALeaveFromNoRoomTellsNoOne) {
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    rec.log.clear();
    EXPECT_FALSE(reg.leave(7, LeaveReason::left));
    EXPECT_FALSE(reg.leave(7, LeaveReason::disconnected));
    EXPECT_TRUE(rec.log.empty());
    EXPECT_EQ(reg.member_count(), 1u);
}

TEST_P(RoomDirectoryContract, JoiningAnotherRoomLeavesTheFirst) {
    auto& reg = make(64);
    join(1, req("one", "clientAA"));
    const auto b = peer_of(2, req("one", "clientBB"));
    rec.log.clear();
    auto moved = join(2, req("two", "clientBB"));
    ASSERT_TRUE(moved);
    EXPECT_TRUE(moved->peers.empty());
    ASSERT_EQ(rec.log.size(), 1u); // no one in "two" to tell
    EXPECT_EQ(rec.log[0], "left " + b + " left -> 1");
    EXPECT_EQ(reg.room_count(), 2u);
    EXPECT_EQ(reg.member_count(), 2u);
}

TEST_P(RoomDirectoryContract, ReplacesAStaleMemberWithTheSameClientId) {
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    const auto old = peer_of(2, req("room", "clientBB"));
    rec.log.clear();
    auto fresh = join(3, req("room", "clientBB"));
    ASSERT_TRUE(fresh);
    ASSERT_EQ(rec.log.size(), 3u);
    EXPECT_EQ(rec.log[0], "left " + old + " replaced -> 1");
    EXPECT_EQ(rec.log[1], "replaced 2");
    EXPECT_EQ(rec.log[2], "joined clientBB -> 1");
    ASSERT_EQ(fresh->peers.size(), 1u); // not its stale self
    EXPECT_NE(fresh->self.peer_id, old);
    EXPECT_EQ(reg.member(2), nullptr);
    EXPECT_EQ(reg.member_count(), 2u);
    EXPECT_EQ(reg.counts().replacements, 1u);
    EXPECT_FALSE(reg.leave(2, LeaveReason::disconnected)); // its seat is gone already
}

TEST_P(RoomDirectoryContract, ReplacementOfTheOnlyMemberRecreatesTheRoom) {
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    rec.log.clear();
    auto again = join(2, req("room", "clientAA"));
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->peers.empty());
    ASSERT_EQ(rec.log.size(), 1u);
    EXPECT_EQ(rec.log[0], "replaced 1");
    EXPECT_EQ(reg.room_count(), 1u);
    EXPECT_EQ(reg.member_count(), 1u);
}

// --- room-full ---------------------------------------------------------------------

TEST_P(RoomDirectoryContract, RefusesAFullRoomAndTellsNoOne) {
    auto& reg = make(2);
    join(1, req("room", "clientAA"));
    join(2, req("room", "clientBB"));
    rec.log.clear();
    auto refused = join(3, req("room", "clientCC"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), Error::room_full);
    EXPECT_TRUE(rec.log.empty());
    EXPECT_EQ(reg.member(3), nullptr);
    EXPECT_EQ(reg.member_count(), 2u);
    EXPECT_TRUE(join(4, req("room", "clientBB"))); // a replacement takes no new seat
}

TEST_P(RoomDirectoryContract, ARefusedJoinKeepsTheCurrentRoom) {
    auto& reg = make(1);
    join(1, req("full", "clientAA"));
    join(2, req("home", "clientBB"));
    EXPECT_EQ(join(2, req("full", "clientBB")).error(), Error::room_full);
    ASSERT_NE(reg.member(2), nullptr);
    EXPECT_EQ(reg.member(2)->client_id, "clientBB");
}

TEST_P(RoomDirectoryContract, ASizeOfZeroAdmitsNoOne) {
    auto& reg = make(0);
    EXPECT_EQ(join(1, req("room", "clientAA")).error(), Error::room_full);
    EXPECT_EQ(reg.room_count(), 0u);
}

// --- client-id-taken and resume tokens ---------------------------------------------

TEST_P(RoomDirectoryContract, RefusesATakenClientIdWithoutItsTokenAndChangesNothing) {
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    auto victim = join(2, with_token("room", "clientBB", kTokenA));
    ASSERT_TRUE(victim);
    rec.log.clear();
    EXPECT_EQ(join(3, req("room", "clientBB")).error(), Error::client_id_taken);
    EXPECT_EQ(join(3, with_token("room", "clientBB", kTokenB)).error(), Error::client_id_taken);
    EXPECT_TRUE(rec.log.empty()); // no replaced, no peer-left, no peer-joined
    ASSERT_NE(reg.member(2), nullptr);
    EXPECT_EQ(reg.member(2)->peer_id, victim->self.peer_id);
    EXPECT_EQ(reg.member(3), nullptr);
    EXPECT_EQ(reg.member_count(), 2u);
    EXPECT_EQ(reg.counts().replacements, 0u);
}

TEST_P(RoomDirectoryContract, ReplacesATokenHolderThatComesBackWithItsToken) {
    make(64);
    join(1, req("room", "clientAA"));
    const auto old = peer_of(2, with_token("room", "clientBB", kTokenA));
    rec.log.clear();
    ASSERT_TRUE(join(3, with_token("room", "clientBB", kTokenA)));
    ASSERT_EQ(rec.log.size(), 3u);
    EXPECT_EQ(rec.log[0], "left " + old + " replaced -> 1");
    EXPECT_EQ(rec.log[1], "replaced 2");
    EXPECT_EQ(rec.log[2], "joined clientBB -> 1");
}

TEST_P(RoomDirectoryContract, OnlyATokenProtectsAnIdentity) {
    // Without a token the contract's rule holds: replaced at once, by
    // anyone, token or not; the replacement's token protects it from then on.
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    join(2, req("room", "clientBB"));
    EXPECT_TRUE(join(3, req("room", "clientBB")));
    EXPECT_TRUE(join(4, with_token("room", "clientBB", kTokenB)));
    EXPECT_EQ(reg.member(3), nullptr);
    EXPECT_EQ(join(5, req("room", "clientBB")).error(), Error::client_id_taken);
}

TEST_P(RoomDirectoryContract, ChecksTheClientIdBeforeTheRoomsCapacity) {
    auto& reg = make(2);
    join(1, with_token("room", "clientAA", kTokenA));
    join(2, req("room", "clientBB"));
    // A full room must not tell whether a clientId is protected.
    EXPECT_EQ(join(3, req("room", "clientAA")).error(), Error::client_id_taken);
    EXPECT_EQ(join(3, req("room", "clientCC")).error(), Error::room_full);
    EXPECT_TRUE(join(3, with_token("room", "clientAA", kTokenA)));
    EXPECT_EQ(reg.member_count(), 2u);
}

TEST_P(RoomDirectoryContract, ARefusedClientIdKeepsTheCurrentRoom) {
    auto& reg = make(64);
    join(1, with_token("one", "clientAA", kTokenA));
    join(2, req("two", "clientBB"));
    rec.log.clear();
    EXPECT_EQ(join(2, req("one", "clientAA")).error(), Error::client_id_taken);
    ASSERT_NE(reg.member(2), nullptr);
    EXPECT_EQ(reg.member(2)->client_id, "clientBB");
    EXPECT_TRUE(rec.log.empty());
}

TEST_P(RoomDirectoryContract, AConnectionMayJoinItsOwnRoomAgainAsItself) {
    // Its own seat is not someone else's identity: no token needed.
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    const auto first = peer_of(2, with_token("room", "clientBB", kTokenA));
    rec.log.clear();
    ASSERT_TRUE(join(2, req("room", "clientBB")));
    ASSERT_EQ(rec.log.size(), 2u);
    EXPECT_EQ(rec.log[0], "left " + first + " left -> 1");
    EXPECT_EQ(rec.log[1], "joined clientBB -> 1");
    EXPECT_EQ(reg.member_count(), 2u);
}

TEST_P(RoomDirectoryContract, HoldsOnlyForAMemberWithTheMatchingToken) {
    auto& reg = make(64);
    join(1, with_token("room", "clientAA", kTokenA));
    join(2, req("room", "clientBB"));
    EXPECT_TRUE(reg.holds("room", "clientAA", kTokenA));
    EXPECT_FALSE(reg.holds("room", "clientAA", kTokenB));
    EXPECT_FALSE(reg.holds("room", "clientAA", ""));
    EXPECT_FALSE(reg.holds("other", "clientAA", kTokenA));
    EXPECT_FALSE(reg.holds("room", "clientCC", kTokenA));
    EXPECT_FALSE(reg.holds("room", "clientBB", "")); // no token, nothing held
    reg.leave(1, LeaveReason::disconnected);
    EXPECT_FALSE(reg.holds("room", "clientAA", kTokenA)); // reserved is not held
}

// --- reservations --------------------------------------------------------------------

TEST_P(RoomDirectoryContract, ReservesTheClientIdOfADisconnectedTokenHolder) {
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    join(2, with_token("room", "clientBB", kTokenA));
    reg.leave(2, LeaveReason::disconnected);
    rec.log.clear();
    now += kGrace - std::chrono::seconds(1);
    EXPECT_EQ(join(3, req("room", "clientBB")).error(), Error::client_id_taken);
    EXPECT_EQ(join(3, with_token("room", "clientBB", kTokenB)).error(), Error::client_id_taken);
    EXPECT_TRUE(rec.log.empty());
    ASSERT_TRUE(join(4, with_token("room", "clientBB", kTokenA)));
    EXPECT_EQ(rec.log.back(), "joined clientBB -> 1");
    EXPECT_TRUE(reg.holds("room", "clientBB", kTokenA));
}

TEST_P(RoomDirectoryContract, AReservationIsUsedUpByItsOwnersReturn) {
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    join(2, with_token("room", "clientBB", kTokenA));
    reg.leave(2, LeaveReason::disconnected);
    join(3, with_token("room", "clientBB", kTokenA));
    reg.leave(3, LeaveReason::left); // said goodbye: keeps nothing
    EXPECT_TRUE(join(4, req("room", "clientBB")));
}

TEST_P(RoomDirectoryContract, ReservesNothingForALeaveOrATokenlessMember) {
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    join(2, with_token("room", "clientBB", kTokenA));
    join(3, req("room", "clientCC"));
    reg.leave(2, LeaveReason::left);
    reg.leave(3, LeaveReason::disconnected);
    EXPECT_TRUE(join(4, req("room", "clientBB")));
    EXPECT_TRUE(join(5, req("room", "clientCC")));
}

TEST_P(RoomDirectoryContract, ReservesNothingForAReplacedMember) {
    // Its identity lives on in its replacement, which can itself leave.
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    join(2, with_token("room", "clientBB", kTokenA));
    join(3, with_token("room", "clientBB", kTokenA));
    reg.leave(3, LeaveReason::left);
    EXPECT_TRUE(join(4, req("room", "clientBB")));
}

TEST_P(RoomDirectoryContract, AReservationEndsAfterTheGracePeriod) {
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    join(2, with_token("room", "clientBB", kTokenA));
    reg.leave(2, LeaveReason::disconnected);
    now += kGrace;
    EXPECT_TRUE(join(3, req("room", "clientBB")));
}

TEST_P(RoomDirectoryContract, AReservationHoldsOnlyInItsRoom) {
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    join(2, with_token("room", "clientBB", kTokenA));
    reg.leave(2, LeaveReason::disconnected);
    EXPECT_TRUE(join(3, req("elsewhere", "clientBB")));
}

TEST_P(RoomDirectoryContract, ReservationsOutliveAnEmptiedRoomUntilTheyExpire) {
    // Two people, one offline: the other leaving must not free the offline
    // one's identity for whoever comes next.
    auto& reg = make(64);
    join(1, req("room", "clientAA"));
    join(2, with_token("room", "clientBB", kTokenA));
    reg.leave(2, LeaveReason::disconnected);
    reg.leave(1, LeaveReason::left);
    EXPECT_EQ(reg.room_count(), 0u);
    EXPECT_EQ(join(3, with_token("room", "clientBB", kTokenB)).error(), Error::client_id_taken);
    EXPECT_EQ(reg.room_count(), 0u);
    EXPECT_TRUE(join(4, with_token("room", "clientBB", kTokenA))); // its owner
    reg.leave(4, LeaveReason::disconnected); // the room empties again, reserving
    now += kGrace;
    EXPECT_TRUE(join(5, req("room", "clientBB"))); // expired
}

TEST_P(RoomDirectoryContract, WhenFullTheShortestStayingReservationGivesWay) {
    auto& reg = make(2);
    join(1, req("room", "clientAA"));
    const auto stay = [&](ConnId c, const std::string& id, std::chrono::seconds how_long) {
        ASSERT_TRUE(join(c, with_token("room", id, kTokenA)));
        now += how_long;
        reg.leave(c, LeaveReason::disconnected);
    };
    stay(10, "clientX1", std::chrono::seconds(60)); // someone who was really there
    stay(11, "clientX2", std::chrono::seconds(0));
    stay(12, "clientX3", std::chrono::seconds(1)); // full: X2 stayed shorter, it goes
    stay(13, "clientX4", std::chrono::seconds(0)); // full: stayed no longer than anyone
    // A member cycling through clientIds never pushes out X1.
    for (ConnId c = 20; c < 30; ++c)
        stay(c, "clientY" + std::to_string(c), std::chrono::seconds(0));
    EXPECT_EQ(join(40, req("room", "clientX1")).error(), Error::client_id_taken);
    EXPECT_EQ(join(40, req("room", "clientX3")).error(), Error::client_id_taken);
    EXPECT_TRUE(join(40, req("room", "clientX2")));
    reg.leave(40, LeaveReason::left); // (a room of two)
    EXPECT_TRUE(join(41, req("room", "clientX4")));
}

// --- signal routing ------------------------------------------------------------------

TEST_P(RoomDirectoryContract, RoutesOnlyBetweenMembersOfOneRoom) {
    auto& reg = make(64);
    const auto a = peer_of(1, req("one", "clientAA"));
    const auto b = peer_of(2, req("one", "clientBB"));
    const auto c = peer_of(3, req("two", "clientCC"));
    EXPECT_EQ(reg.route(2, a), ConnId{1});
    EXPECT_EQ(reg.route(1, b), ConnId{2});
    EXPECT_FALSE(reg.route(3, a)); // another room
    EXPECT_FALSE(reg.route(1, c));
    EXPECT_FALSE(reg.route(1, a)); // not to oneself
    EXPECT_FALSE(reg.route(9, a)); // not from outside any room
    EXPECT_FALSE(reg.route(1, "p_nobody"));
}

TEST_P(RoomDirectoryContract, RoutesNoMoreToWhoeverLeftOrWasReplaced) {
    auto& reg = make(64);
    const auto a = peer_of(1, req("room", "clientAA"));
    const auto b = peer_of(2, req("room", "clientBB"));
    const auto c = peer_of(3, req("room", "clientCC"));
    reg.leave(2, LeaveReason::left);
    EXPECT_FALSE(reg.route(1, b));
    EXPECT_FALSE(reg.route(2, a)); // nor from them
    const auto c2 = peer_of(4, req("room", "clientCC"));
    EXPECT_FALSE(reg.route(1, c));
    EXPECT_FALSE(reg.route(3, a));
    EXPECT_EQ(reg.route(1, c2), ConnId{4});
    EXPECT_EQ(reg.route(4, a), ConnId{1});
    const auto a2 = peer_of(1, req("elsewhere", "clientAA")); // out of its old room's reach
    EXPECT_FALSE(reg.route(4, a2));
    EXPECT_FALSE(reg.route(1, c2));
}

// --- notifications and re-entry --------------------------------------------------------

TEST_P(RoomDirectoryContract, WithoutANotifierChangesTheSameAndTellsNoOne) {
    auto& reg = make(64);
    reg.set_notifier(nullptr);
    join(1, req("room", "clientAA"));
    join(2, req("room", "clientBB"));
    join(3, req("room", "clientBB"));
    EXPECT_TRUE(reg.leave(1, LeaveReason::left));
    EXPECT_TRUE(rec.log.empty());
    EXPECT_EQ(reg.member_count(), 1u);
    EXPECT_EQ(reg.counts().replacements, 1u);
}

namespace {
// The old synchronous teardown: a send to a member whose queue is full
// closes its session at once, which leaves the room from inside the
// notification. Walks each recipient list the way a Notifier does, while
// that happens.
struct Reentrant final : Notifier {
    RoomDirectory* reg = nullptr;
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
    void relayed(ConnId, std::string_view, std::span<const std::string>) override {}
};

bool has(const std::vector<std::string>& heard, const std::string& what) {
    return std::find(heard.begin(), heard.end(), what) != heard.end();
}
} // namespace

TEST_P(RoomDirectoryContract, ALeaveFromInsidePeerJoinedTellsEveryRemainingMember) {
    if (GetParam().name == "Redis")
        GTEST_SKIP() << "a shared directory acknowledges a join with the room as it is when the "
                        "acknowledgement goes out, and tells the joiner nothing before it: one who "
                        "leaves meanwhile is missing from the acknowledgement, not announced";
    Reentrant n;
    auto& reg = make(64, &n);
    n.reg = &reg;
    for (ConnId c = 1; c <= 4; ++c)
        n.self[c] = peer_of(c, req("room", "client0" + std::to_string(c)));
    n.heard.clear();
    n.kill = 1; // the first one told about the newcomer goes away meanwhile
    auto fresh = join(5, req("room", "clientNEW"));
    ASSERT_TRUE(fresh);
    n.self[5] = fresh->self.peer_id;
    EXPECT_EQ(fresh->peers.size(), 4u); // as the room was when it joined
    EXPECT_FALSE(n.told_about_itself);
    for (ConnId c = 2; c <= 4; ++c) {
        EXPECT_TRUE(has(n.heard[c], "joined " + fresh->self.peer_id)) << c;
        EXPECT_TRUE(has(n.heard[c], "left " + n.self[1])) << c;
    }
    EXPECT_TRUE(has(n.heard[5], "left " + n.self[1]));
    EXPECT_EQ(reg.member(1), nullptr);
    ASSERT_NE(reg.member(5), nullptr);
    EXPECT_EQ(reg.member_count(), 4u);
}

TEST_P(RoomDirectoryContract, ALeaveFromInsidePeerLeftTellsEveryRemainingMember) {
    Reentrant n;
    auto& reg = make(64, &n);
    n.reg = &reg;
    for (ConnId c = 1; c <= 4; ++c)
        n.self[c] = peer_of(c, req("room", "client0" + std::to_string(c)));
    n.heard.clear();
    n.kill = 2;
    EXPECT_TRUE(reg.leave(1, LeaveReason::left));
    EXPECT_FALSE(n.told_about_itself);
    for (ConnId c = 3; c <= 4; ++c) {
        EXPECT_TRUE(has(n.heard[c], "left " + n.self[1])) << c;
        EXPECT_TRUE(has(n.heard[c], "left " + n.self[2])) << c;
    }
    EXPECT_EQ(reg.member_count(), 2u);
}

TEST_P(RoomDirectoryContract, SurvivesTheRoomEmptyingDuringItsOwnNotifications) {
    if (GetParam().name == "Redis")
        GTEST_SKIP() << "a shared directory acknowledges a join with the room as it is when the "
                        "acknowledgement goes out, and tells the joiner nothing before it: one who "
                        "leaves meanwhile is missing from the acknowledgement, not announced";
    // The only member goes away while hearing of the newcomer, and the
    // replaced member while hearing it was replaced: the room those
    // notifications came from empties under them.
    Reentrant n;
    auto& reg = make(64, &n);
    n.reg = &reg;
    join(1, req("room", "clientAA"));
    n.kill = 1;
    auto b = join(2, req("room", "clientBB"));
    ASSERT_TRUE(b);
    EXPECT_EQ(b->peers.size(), 1u);
    ASSERT_NE(reg.member(2), nullptr);
    EXPECT_EQ(reg.member_count(), 1u);

    n.kill = 0;
    join(3, req("room", "clientCC"));
    n.kill = 3; // goes while hearing that clientBB's old seat was replaced
    auto again = join(4, req("room", "clientBB"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->peers.size(), 1u);
    EXPECT_EQ(reg.member(2), nullptr);
    EXPECT_EQ(reg.member(3), nullptr);
    ASSERT_NE(reg.member(4), nullptr);
    EXPECT_EQ(reg.member(4)->peer_id, again->self.peer_id);
    EXPECT_EQ(reg.member_count(), 1u);
    EXPECT_EQ(reg.room_count(), 1u);
}

// --- the implementations ------------------------------------------------------------------

INSTANTIATE_TEST_SUITE_P(InMemory, RoomDirectoryContract, testing::Values(in_memory()),
                         [](const auto& info) { return info.param.name; });
INSTANTIATE_TEST_SUITE_P(Redis, RoomDirectoryContract, testing::Values(redis_backed()),
                         [](const auto& info) { return info.param.name; });
