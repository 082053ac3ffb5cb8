#include "server/redis/subscriber.hpp"

#include "server/redis/client.hpp"
#include "tests/unit/redis/redis_server.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace fc::redis;
using namespace fc::redis::test;
using namespace std::chrono_literals;
using namespace std::string_view_literals;

namespace {

class RedisSubscriber : public ::testing::Test {
protected:
    void SetUp() override {
        if (!redis_available())
            GTEST_SKIP() << kRedisServer
                         << " is missing (scripts/deps.sh test installs redis-server)";
        ASSERT_TRUE(redis.start()) << "redis-server did not answer on port " << redis.port();
        publisher = std::make_unique<Client>(io.get_executor(), redis.endpoint(), quick());
        publisher->start();
        ASSERT_TRUE(run_until(io, [&] { return publisher->connected(); }));
    }

    static Options quick() {
        Options o;
        o.connect_timeout = 300ms;
        o.reconnect_min = 20ms;
        o.reconnect_max = 200ms;
        o.ping_interval = 100ms;
        o.ping_timeout = 300ms;
        return o;
    }

    // PUBLISHes and runs the loop until Redis says how many received it.
    long long publish(std::string_view channel, std::string_view payload) {
        std::optional<Reply> got;
        publisher->command({"PUBLISH", channel, payload}, [&](const Reply& r) { got = r; });
        EXPECT_TRUE(run_until(io, [&] { return got.has_value(); }));
        return got ? got->integer : -1;
    }

    std::unique_ptr<Subscriber> make_subscriber() {
        auto s = std::make_unique<Subscriber>(io.get_executor(), redis.endpoint(), quick());
        s->on_state([this](bool up) { states.push_back(up); });
        return s;
    }

    boost::asio::io_context io; // declared first: destroyed after the clients
    RedisServer redis;
    std::vector<bool> states;
    std::unique_ptr<Client> publisher;
};

} // namespace

TEST_F(RedisSubscriber, DeliversPublishedMessagesBinarySafe) {
    auto sub = make_subscriber();
    std::vector<std::string> got;
    std::vector<std::string> got_binary_channel;
    sub->subscribe("room:1", [&](std::string_view p) { got.emplace_back(p); });
    sub->subscribe(std::string("b\0n"sv),
                   [&](std::string_view p) { got_binary_channel.emplace_back(p); });
    sub->start();
    ASSERT_TRUE(run_until(io, [&] { return states == std::vector<bool>{true}; }));
    EXPECT_TRUE(sub->connected());

    const std::string_view payload = "x\0y\r\n*1\r\n\xfe"sv;
    EXPECT_EQ(publish("room:1", payload), 1);
    EXPECT_EQ(publish("room:1", ""), 1);
    EXPECT_EQ(publish("b\0n"sv, "bin"), 1);
    EXPECT_EQ(publish("room:2", "nobody"), 0);
    ASSERT_TRUE(run_until(io, [&] { return got.size() == 2 && got_binary_channel.size() == 1; }));
    EXPECT_EQ(got[0], payload);
    EXPECT_EQ(got[1], "");
    EXPECT_EQ(got_binary_channel[0], "bin");
}

TEST_F(RedisSubscriber, SubscribesAfterStartAndUnsubscribeStopsDelivery) {
    auto sub = make_subscriber();
    sub->start();
    ASSERT_TRUE(run_until(io, [&] { return sub->connected(); })); // no channels yet: up at once

    std::vector<std::string> a, b;
    sub->subscribe("a", [&](std::string_view p) { a.emplace_back(p); });
    sub->subscribe("b", [&](std::string_view p) { b.emplace_back(p); });
    ASSERT_TRUE(run_until(io, [&] { return publish("a", "1") == 1 && publish("b", "1") == 1; }));
    ASSERT_TRUE(run_until(io, [&] { return a.size() == 1 && b.size() == 1; }));

    sub->unsubscribe("a");
    publish("a", "2");
    publish("b", "2"); // arrives after "a" would have
    ASSERT_TRUE(run_until(io, [&] { return b.size() == 2; }));
    run_for(io, 50ms);
    EXPECT_EQ(a, std::vector<std::string>{"1"});
    EXPECT_EQ(publish("a", "3"), 0); // Redis has let go of it too
}

TEST_F(RedisSubscriber, AHandlerMayUnsubscribeItself) {
    auto sub = make_subscriber();
    int calls = 0;
    sub->subscribe("once", [&](std::string_view) {
        ++calls;
        sub->unsubscribe("once");
    });
    sub->start();
    ASSERT_TRUE(run_until(io, [&] { return sub->connected(); }));
    publish("once", "1");
    publish("once", "2");
    ASSERT_TRUE(run_until(io, [&] { return calls == 1; }));
    run_for(io, 50ms);
    EXPECT_EQ(calls, 1);
}

TEST_F(RedisSubscriber, ResubscribesAfterRedisIsKilledAndRestarted) {
    auto sub = make_subscriber();
    std::vector<std::string> got;
    sub->subscribe("events", [&](std::string_view p) { got.emplace_back(p); });
    sub->start();
    ASSERT_TRUE(run_until(io, [&] { return sub->connected(); }));
    publish("events", "before");
    ASSERT_TRUE(run_until(io, [&] { return got.size() == 1; }));

    redis.kill();
    ASSERT_TRUE(run_until(
        io, [&] { return states.size() == 2; }, 2s));
    EXPECT_EQ(states, (std::vector<bool>{true, false}));
    EXPECT_FALSE(sub->connected());

    ASSERT_TRUE(redis.start());
    ASSERT_TRUE(run_until(
        io, [&] { return sub->connected() && publisher->connected(); }, 2s));
    ASSERT_TRUE(run_until(
        io, [&] { return states.size() == 3; }, 100ms));
    EXPECT_TRUE(states.back());
    EXPECT_EQ(publish("events", "after"), 1);
    ASSERT_TRUE(run_until(io, [&] { return got.size() == 2; }));
    EXPECT_EQ(got, (std::vector<std::string>{"before", "after"}));
}

TEST_F(RedisSubscriber, NoticesAStoppedRedisAndRecovers) {
    auto sub = make_subscriber();
    std::vector<std::string> got;
    sub->subscribe("events", [&](std::string_view p) { got.emplace_back(p); });
    sub->start();
    ASSERT_TRUE(run_until(
        io, [&] { return sub->connected() && sub->last_rtt() > 0us; }, 1s));

    redis.pause();
    const auto stopped_at = std::chrono::steady_clock::now();
    ASSERT_TRUE(run_until(
        io, [&] { return states.size() == 2; }, 2s));
    EXPECT_LE(std::chrono::steady_clock::now() - stopped_at, 100ms + 300ms + 200ms);
    EXPECT_FALSE(states.back());

    redis.resume();
    ASSERT_TRUE(run_until(
        io, [&] { return sub->connected() && publisher->connected(); }, 2s));
    EXPECT_EQ(publish("events", "back"), 1);
    ASSERT_TRUE(run_until(io, [&] { return got.size() == 1; }));
    EXPECT_EQ(got[0], "back");
}

TEST_F(RedisSubscriber, StopAndDestructionAreSafe) {
    auto sub = make_subscriber();
    int calls = 0;
    sub->subscribe("events", [&](std::string_view) { ++calls; });
    sub->start();
    ASSERT_TRUE(run_until(io, [&] { return sub->connected(); }));

    sub->stop();
    ASSERT_TRUE(run_until(
        io, [&] { return states.size() == 2; }, 100ms));
    EXPECT_EQ(publish("events", "while stopped"), 0);
    sub->start();
    ASSERT_TRUE(run_until(
        io, [&] { return sub->connected(); }, 1s));

    EXPECT_EQ(publish("events", "1"), 1); // arrived, perhaps not yet handed over
    sub.reset();
    run_for(io, 50ms);
    EXPECT_LE(calls, 1);
}
