#include "server/cluster/redis_directory.hpp"

#include "server/cluster/wire.hpp"

#include "tests/unit/cluster/redis_node.hpp"
#include "tests/unit/rooms/recorder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// Several nodes of one cluster in one process: RedisDirectory instances on
// one real redis-server and one io_context, each telling its own recorder.
// (tests/unit/rooms/room_directory_test.cpp runs the rooms contract on one
// of them alone.)

using namespace fc::cluster;
using namespace fc::cluster::test;
using namespace fc::rooms;
using namespace fc::rooms::test;
using namespace std::chrono_literals;

namespace {

class RedisDirectoryCluster : public testing::Test {
protected:
    void SetUp() override {
        if (!fc::redis::test::redis_available())
            GTEST_SKIP() << fc::redis::test::kRedisServer
                         << " is missing (scripts/deps.sh test installs redis-server)";
        ASSERT_TRUE(redis.start()) << "redis-server did not answer on port " << redis.port();
    }

    // Node `i` (0, 1, 2: nodeAAAA, nodeAAAB, ...), started, telling rec[i].
    RedisDirectory& start(std::size_t i, DirectorySettings s) {
        nodes[i] = std::make_unique<Node>(io, redis, std::move(s));
        nodes[i]->directory.set_notifier(&rec[i]);
        EXPECT_TRUE(nodes[i]->start(io)) << "node " << i << " never reached Redis";
        return nodes[i]->directory;
    }
    RedisDirectory& start(std::size_t i, std::size_t max_room_size = 64) {
        return start(i, settings(node_tag(static_cast<unsigned>(i)), max_room_size));
    }
    RedisDirectory& dir(std::size_t i) { return nodes[i]->directory; }

    // A join, waited for, and what it published let arrive everywhere.
    RedisDirectory::JoinResult join(std::size_t i, ConnId conn, const JoinRequest& r) {
        std::optional<RedisDirectory::JoinResult> out;
        dir(i).join(conn, r, [&](RedisDirectory::JoinResult j) { out.emplace(std::move(j)); });
        EXPECT_TRUE(settle(io, [&] { return out.has_value(); })) << "join unanswered";
        if (!out)
            return Error::bad_request;
        return std::move(*out);
    }
    std::string peer_of(std::size_t i, ConnId conn, const JoinRequest& r) {
        auto j = join(i, conn, r);
        return j ? j->self.peer_id : std::string("(refused)");
    }
    void quiet() {
        EXPECT_TRUE(settle(io, [] { return true; }));
    }

    // Publishes raw bytes on a node's channel, as another node would.
    void publish(std::size_t i, std::string_view bytes) {
        bool done = false;
        nodes[(i + 1) % 2]->commands.command({"PUBLISH", "fc:n:" + dir(i).node(), bytes},
                                             [&](const fc::redis::Reply&) { done = true; });
        EXPECT_TRUE(fc::redis::test::run_until(io, [&] { return done; }));
    }

    boost::asio::io_context io{1}; // first: destroyed after the nodes
    fc::redis::test::RedisServer redis;
    Recorder rec[3];
    std::unique_ptr<Node> nodes[3];
};

} // namespace

// --- one room, several nodes --------------------------------------------------

TEST_F(RedisDirectoryCluster, MembersOnDifferentNodesSeeEachOtherWithTheirNames) {
    start(0);
    start(1);
    auto a = join(0, 1, req("room", "clientAA", "Ana"));
    ASSERT_TRUE(a);
    auto b = join(1, 2, req("room", "clientBB", "Bob"));
    ASSERT_TRUE(b);
    ASSERT_EQ(b->peers.size(), 1u);
    EXPECT_EQ(b->peers[0].peer_id, a->self.peer_id);
    EXPECT_EQ(b->peers[0].client_id, "clientAA");
    EXPECT_EQ(b->peers[0].display_name, "Ana");
    EXPECT_EQ(b->peers[0].conn, ConnId{0}); // not a connection of node 1
    EXPECT_EQ(rec[0].log, std::vector<std::string>{"joined clientBB -> 1"});
    ASSERT_EQ(rec[0].joined.size(), 1u);
    EXPECT_EQ(rec[0].joined[0].peer_id, b->self.peer_id);
    EXPECT_EQ(rec[0].joined[0].display_name, "Bob");

    auto c = join(0, 3, req("room", "clientCC", "Cleo"));
    ASSERT_TRUE(c);
    ASSERT_EQ(c->peers.size(), 2u); // in join order, wherever connected
    EXPECT_EQ(c->peers[0].peer_id, a->self.peer_id);
    EXPECT_EQ(c->peers[1].peer_id, b->self.peer_id);
    EXPECT_EQ(c->peers[1].display_name, "Bob");
    EXPECT_EQ(rec[0].log.back(), "joined clientCC -> 1");
    EXPECT_EQ(rec[1].log, std::vector<std::string>{"joined clientCC -> 2"});
    EXPECT_EQ(rec[1].joined.back().display_name, "Cleo");

    // Each node counts its own: rooms and members of its connections.
    EXPECT_EQ(dir(0).member_count(), 2u);
    EXPECT_EQ(dir(1).member_count(), 1u);
    EXPECT_EQ(dir(0).room_count(), 1u);
    EXPECT_EQ(dir(1).room_count(), 1u);
    EXPECT_EQ(dir(0).nodes_alive(), 2u);
}

TEST_F(RedisDirectoryCluster, ALeaveOnOneNodeReachesTheOtherWithItsReason) {
    start(0);
    start(1);
    join(0, 1, req("room", "clientAA"));
    const auto b = peer_of(1, 2, req("room", "clientBB"));
    const auto c = peer_of(1, 3, req("room", "clientCC"));
    rec[0].log.clear();
    EXPECT_TRUE(dir(1).leave(2, LeaveReason::left));
    quiet();
    EXPECT_EQ(rec[0].log, std::vector<std::string>{"left " + b + " left -> 1"});
    EXPECT_EQ(rec[1].log.back(), "left " + b + " left -> 3");
    EXPECT_TRUE(dir(1).leave(3, LeaveReason::disconnected));
    quiet();
    EXPECT_EQ(rec[0].log.back(), "left " + c + " disconnected -> 1");
    EXPECT_EQ(dir(1).room_count(), 0u); // none of its connections there any more
    EXPECT_FALSE(dir(0).forward(1, c, "[]", {}));
}

TEST_F(RedisDirectoryCluster, MovingToAnotherRoomTellsTheOtherNodeItLeft) {
    start(0);
    start(1);
    join(0, 1, req("one", "clientAA"));
    const auto b = peer_of(1, 2, req("one", "clientBB"));
    rec[0].log.clear();
    auto moved = join(1, 2, req("two", "clientBB"));
    ASSERT_TRUE(moved);
    EXPECT_TRUE(moved->peers.empty());
    quiet();
    EXPECT_EQ(rec[0].log, std::vector<std::string>{"left " + b + " left -> 1"});
}

// --- signals -------------------------------------------------------------------

TEST_F(RedisDirectoryCluster, ForwardsASignalToTheOtherNodeWithItsAttachments) {
    start(0);
    start(1);
    const auto a = peer_of(0, 1, req("room", "clientAA"));
    const auto b = peer_of(1, 2, req("room", "clientBB"));
    EXPECT_FALSE(dir(0).route(1, b)); // not a connection of node 0
    const std::string json =
        R"(["signal",{"from":")" + a + R"(","payload":{"_placeholder":true,"num":0}}])";
    const std::vector<std::string> attachments{std::string("\0bin,:1", 7), std::string()};
    EXPECT_TRUE(dir(0).forward(1, b, json, attachments));
    quiet();
    EXPECT_EQ(rec[1].log.back(), "relayed " + json + " -> 2");
    EXPECT_EQ(rec[1].attachments, attachments);
    EXPECT_EQ(dir(0).stats().signals_out, 1u);
    EXPECT_EQ(dir(1).stats().signals_in, 1u);

    // Only to members of the sender's room, and not to its own node's.
    EXPECT_FALSE(dir(0).forward(1, "p_nobody", json, {}));
    EXPECT_FALSE(dir(0).forward(9, b, json, {}));
    join(0, 3, req("room", "clientCC"));
    EXPECT_FALSE(dir(0).forward(3, a, json, {}));
}

// --- identities and limits across nodes ---------------------------------------------

TEST_F(RedisDirectoryCluster, AClientIdHeldOnAnotherNodeIsReplaced) {
    start(0);
    start(1);
    start(2);
    join(0, 1, req("room", "clientAA"));
    const auto b = peer_of(1, 2, req("room", "clientBB"));
    join(2, 3, req("room", "clientCC"));
    for (auto& r : rec)
        r.log.clear();
    auto again = join(0, 4, req("room", "clientBB", "Bob again"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->peers.size(), 2u); // clientAA and clientCC, not its old self
    quiet();
    EXPECT_EQ(rec[1].log, std::vector<std::string>{"replaced 2"});
    EXPECT_EQ(dir(1).member(2), nullptr);
    EXPECT_EQ(dir(1).room_count(), 0u);
    EXPECT_TRUE(rec[0].heard("left " + b + " replaced -> 1"));
    EXPECT_TRUE(rec[2].heard("left " + b + " replaced -> 3"));
    EXPECT_TRUE(rec[2].heard("joined clientBB -> 3"));
    EXPECT_EQ(rec[2].joined.back().display_name, "Bob again");
    EXPECT_EQ(dir(0).route(1, again->self.peer_id), ConnId{4});
    // Counted once, by the node whose join replaced it.
    EXPECT_EQ(dir(0).counts().replacements, 1u);
    EXPECT_EQ(dir(1).counts().replacements, 0u);
    EXPECT_EQ(dir(1).counts().leaves, 1u);
}

TEST_F(RedisDirectoryCluster, ATokenProtectsAClientIdOnEveryNode) {
    start(0);
    start(1);
    ASSERT_TRUE(join(0, 1, {"room", "clientAA", "", "tokenAAAAAAAAAAAAAAA"}));
    join(1, 2, req("room", "clientBB"));
    EXPECT_EQ(join(1, 3, req("room", "clientAA")).error(), Error::client_id_taken);
    EXPECT_EQ(join(1, 3, {"room", "clientAA", "", "tokenBBBBBBBBBBBBBBB"}).error(),
              Error::client_id_taken);
    EXPECT_TRUE(dir(1).holds("room", "clientAA", "tokenAAAAAAAAAAAAAAA"));
    EXPECT_FALSE(dir(1).holds("room", "clientAA", "tokenBBBBBBBBBBBBBBB"));
    EXPECT_TRUE(join(1, 3, {"room", "clientAA", "", "tokenAAAAAAAAAAAAAAA"}));
    quiet();
    EXPECT_TRUE(rec[0].heard("replaced 1"));
}

TEST_F(RedisDirectoryCluster, ARoomIsFullCountingMembersOfEveryNode) {
    start(0, 2);
    start(1, 2);
    join(0, 1, req("room", "clientAA"));
    join(1, 2, req("room", "clientBB"));
    EXPECT_EQ(join(0, 3, req("room", "clientCC")).error(), Error::room_full);
    EXPECT_EQ(join(1, 3, req("room", "clientCC")).error(), Error::room_full);
    EXPECT_TRUE(join(1, 4, req("room", "clientAA"))); // a replacement takes no new place
    dir(1).leave(2, LeaveReason::left);
    EXPECT_TRUE(join(0, 3, req("room", "clientCC")));
}

// --- what another node says, when it makes no sense -------------------------------

TEST_F(RedisDirectoryCluster, DropsMalformedMessagesAndKeepsWorking) {
    start(0);
    start(1);
    const auto a = peer_of(0, 1, req("room", "clientAA"));
    const auto b = peer_of(1, 2, req("room", "clientBB"));
    rec[0].log.clear();
    const std::string rid = RedisDirectory::room_key("room");
    const auto before = dir(0).stats();
    const std::vector<std::string> garbage{
        "",
        "garbage",
        "Z3:abc,",
        "J",
        "J32:" + rid, // truncated in a netstring
        "L" + std::to_string(rid.size()) + ":" + rid + ",1:9,3:p_X,4:gone,", // unknown reason
        "L99999999999999999999999:x,", // a length beyond any number
        "S1:7,3:p_X,2:[],",            // no attachment count
        "S01:7,3:p_X,2:[],1:0,",       // a leading zero
        encode(Message(LeftMsg{rid, 9, "p_X", LeaveReason::left})) + "trailing",
        std::string("J\0\xff\n", 4),
    };
    for (const auto& g : garbage)
        publish(0, g);
    quiet();
    EXPECT_EQ(dir(0).stats().messages_in - before.messages_in, garbage.size());
    EXPECT_EQ(dir(0).stats().messages_dropped - before.messages_dropped, garbage.size());

    // Well-formed but about nothing here: a room this node does not hold,
    // a connection it does not have, or one that is not the peer named, an
    // answer to no question. Stale news of a race, not a bug: ignored (not
    // counted as malformed), and no one is told anything.
    const auto stale = dir(0).stats();
    const std::vector<std::string> unknown{
        encode(Message(JoinedMsg{RedisDirectory::room_key("nowhere"),
                                 1,
                                 {"p_X", "clientXX", "X", "nodeZZZZ", 5, 1, ""}})),
        encode(Message(LeftMsg{RedisDirectory::room_key("nowhere"), 2, a, LeaveReason::left})),
        encode(Message(ReplacedMsg{RedisDirectory::room_key("nowhere"), 3, 1, a})),
        encode_signal(999, "p_X", "[]", {}),
        encode_signal(1, "p_notA", "[]", {}),
        encode(Message(IntroMsg{rid, 12345, {{"p_X", "", "X", "", 0, 0, ""}}})),
    };
    for (const auto& u : unknown)
        publish(0, u);
    quiet();
    EXPECT_EQ(dir(0).stats().messages_in - stale.messages_in, unknown.size());
    EXPECT_EQ(dir(0).stats().messages_dropped, stale.messages_dropped);
    EXPECT_EQ(dir(0).stats().signals_in, stale.signals_in);
    EXPECT_TRUE(rec[0].log.empty());
    EXPECT_EQ(dir(0).member_count(), 1u);

    // Still one room across both nodes.
    EXPECT_TRUE(dir(1).forward(2, a, R"(["signal"])", {}));
    quiet();
    EXPECT_EQ(rec[0].log.back(), R"(relayed ["signal"] -> 1)");
    auto c = join(0, 3, req("room", "clientCC"));
    ASSERT_TRUE(c);
    ASSERT_EQ(c->peers.size(), 2u);
    EXPECT_EQ(c->peers[1].peer_id, b);
    EXPECT_TRUE(rec[1].heard("joined clientCC -> 2"));
}

// --- a node that dies ------------------------------------------------------------

TEST_F(RedisDirectoryCluster, ADeadNodesMembersStayForTheGraceThenLeaveDisconnected) {
    auto quick = [](unsigned n) {
        auto s = settings(node_tag(n));
        s.grace = 500ms;
        s.ttl = 600ms;
        s.tick = 100ms;
        return s;
    };
    start(0, quick(0));
    start(1, quick(1));
    join(0, 1, req("room", "clientAA"));
    const auto b = peer_of(1, 2, req("room", "clientBB", "Bob"));
    rec[0].log.clear();
    nodes[1].reset(); // gone without a word: its heartbeat stops

    // Silent for its time to live, then presumed dead but kept for the grace.
    fc::redis::test::run_for(io, 400ms);
    EXPECT_TRUE(rec[0].log.empty());
    auto c = join(0, 3, req("room", "clientCC"));
    ASSERT_TRUE(c);
    ASSERT_EQ(c->peers.size(), 2u);
    EXPECT_EQ(c->peers[1].peer_id, b);

    const std::string gone = "left " + b + " disconnected -> 1 3";
    EXPECT_TRUE(fc::redis::test::run_until(
        io, [&] { return rec[0].heard(gone); }, 5s));
    EXPECT_EQ(dir(0).nodes_alive(), 1u);
    EXPECT_FALSE(dir(0).forward(1, b, "[]", {}));
    auto d = join(0, 4, req("room", "clientBB"));
    ASSERT_TRUE(d); // its place is free
    EXPECT_EQ(d->peers.size(), 2u);
}

// A node that registered a moment ago, whose hello this one has not heard
// (the router asks this for a polling request naming its session).
TEST_F(RedisDirectoryCluster, FindsANodeItHasNotHeardOfYetInRedis) {
    auto& a = start(0);
    bool set = false;
    nodes[0]->commands.command({"SET", "fc:alive:nodeZZZZ", "127.0.0.1:4567", "PX", "3000"},
                               [&](const fc::redis::Reply&) { set = true; });
    ASSERT_TRUE(fc::redis::test::run_until(io, [&] { return set; }));
    EXPECT_FALSE(a.address_of("nodeZZZZ"));

    std::optional<std::optional<std::string>> found, missing;
    a.find_node("nodeZZZZ", [&](std::optional<std::string> at) { found = at; });
    a.find_node("nodeNONE", [&](std::optional<std::string> at) { missing = at; });
    ASSERT_TRUE(settle(io, [&] { return found && missing; }));
    EXPECT_EQ(*found, std::optional<std::string>("127.0.0.1:4567"));
    EXPECT_EQ(*missing, std::nullopt);
    EXPECT_EQ(a.address_of("nodeZZZZ"), std::optional<std::string>("127.0.0.1:4567"));

    // Known now: answered at once, without Redis.
    std::optional<std::string> again;
    a.find_node("nodeZZZZ", [&](std::optional<std::string> at) { again = at; });
    EXPECT_EQ(again, std::optional<std::string>("127.0.0.1:4567"));
    // A miss is remembered for a second: answered at once too.
    bool answered = false;
    a.find_node("nodeNONE", [&](std::optional<std::string> at) {
        answered = true;
        EXPECT_FALSE(at);
    });
    EXPECT_TRUE(answered);
}
