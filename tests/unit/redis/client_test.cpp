#include "server/redis/client.hpp"

#include "tests/unit/redis/redis_server.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

using namespace fc::redis;
using namespace fc::redis::test;
using namespace std::chrono_literals;

namespace {

class RedisClient : public ::testing::Test {
protected:
    void SetUp() override {
        if (!redis_available())
            GTEST_SKIP() << kRedisServer
                         << " is missing (scripts/deps.sh test installs redis-server)";
        ASSERT_TRUE(redis.start()) << "redis-server did not answer on port " << redis.port();
    }

    // Short timings so that outages are noticed quickly in tests.
    static Options quick() {
        Options o;
        o.connect_timeout = 300ms;
        o.reconnect_min = 20ms;
        o.reconnect_max = 200ms;
        o.ping_interval = 100ms;
        o.ping_timeout = 300ms;
        return o;
    }

    // Sends a command and runs the loop until its reply.
    Reply call(Client& c, std::initializer_list<std::string_view> args) {
        std::optional<Reply> got;
        c.command(args, [&](const Reply& r) { got = r; });
        EXPECT_TRUE(run_until(io, [&] { return got.has_value(); })) << *args.begin();
        return got.value_or(error_reply("test: no reply"));
    }

    // A started client, connected; with `states`, every on_state call is
    // recorded there from before start(), the first `true` included.
    std::unique_ptr<Client> connected_client(Endpoint ep, Options opt = quick(),
                                             std::vector<bool>* states = nullptr) {
        auto c = std::make_unique<Client>(io.get_executor(), std::move(ep), opt);
        if (states != nullptr)
            c->on_state([states](bool up) { states->push_back(up); });
        c->start();
        EXPECT_TRUE(run_until(
            io, [&] { return c->connected() && (states == nullptr || !states->empty()); }));
        return c;
    }

    boost::asio::io_context io; // declared first: destroyed after the clients
    RedisServer redis;
};

} // namespace

TEST_F(RedisClient, RoundTripsEveryReplyType) {
    auto c = connected_client(redis.endpoint());

    const Reply set = call(*c, {"SET", "k", "v"});
    EXPECT_EQ(set.type, Reply::Type::status);
    EXPECT_EQ(set.str, "OK");
    const Reply get = call(*c, {"GET", "k"});
    EXPECT_EQ(get.type, Reply::Type::string);
    EXPECT_EQ(get.str, "v");

    using namespace std::string_view_literals;
    const std::string_view binary = "a\0b\r\n$3\r\n\xff"sv;
    EXPECT_EQ(call(*c, {"SET"sv, "bin\0key"sv, binary}).str, "OK");
    const Reply bin = call(*c, {"GET"sv, "bin\0key"sv});
    EXPECT_EQ(bin.type, Reply::Type::string);
    EXPECT_EQ(bin.str, binary);

    EXPECT_EQ(call(*c, {"SET", "empty", std::string_view{}}).str, "OK");
    const Reply empty = call(*c, {"GET", "empty"});
    EXPECT_EQ(empty.type, Reply::Type::string);
    EXPECT_EQ(empty.str, "");

    const Reply n = call(*c, {"INCRBY", "n", "41"});
    EXPECT_EQ(n.type, Reply::Type::integer);
    EXPECT_EQ(n.integer, 41);

    EXPECT_EQ(call(*c, {"GET", "missing"}).type, Reply::Type::nil);

    call(*c, {"RPUSH", "list", "x", "", "z"});
    const Reply list = call(*c, {"LRANGE", "list", "0", "-1"});
    ASSERT_EQ(list.type, Reply::Type::array);
    ASSERT_EQ(list.elements.size(), 3u);
    EXPECT_EQ(list.elements[0].str, "x");
    EXPECT_EQ(list.elements[1].str, "");
    EXPECT_EQ(list.elements[2].str, "z");
    EXPECT_EQ(call(*c, {"LRANGE", "nolist", "0", "-1"}).elements.size(), 0u);

    const Reply wrong = call(*c, {"INCR", "k"});
    EXPECT_TRUE(wrong.is_error());
    EXPECT_NE(wrong.str.find("not an integer"), std::string::npos) << wrong.str;
    EXPECT_TRUE(call(*c, {"NOSUCHCOMMAND"}).is_error());
    EXPECT_TRUE(c->connected()); // an error reply is not a lost connection
}

TEST_F(RedisClient, PipelinedCommandsKeepTheirOrder) {
    auto c = connected_client(redis.endpoint());
    constexpr int kCount = 2000;
    std::vector<long long> seen;
    for (int i = 0; i < kCount; ++i)
        c->command({"INCR", "counter"}, [&](const Reply& r) { seen.push_back(r.integer); });
    EXPECT_TRUE(seen.empty()); // never from inside command()
    ASSERT_TRUE(run_until(io, [&] { return seen.size() == kCount; }));
    for (int i = 0; i < kCount; ++i)
        ASSERT_EQ(seen[i], i + 1) << "at " << i;
}

TEST_F(RedisClient, SelectsTheEndpointsDatabase) {
    auto db3 = connected_client(redis.endpoint(3));
    auto db0 = connected_client(redis.endpoint(0));
    EXPECT_EQ(call(*db3, {"SET", "where", "three"}).str, "OK");
    EXPECT_EQ(call(*db0, {"GET", "where"}).type, Reply::Type::nil);
    auto again = connected_client(redis.endpoint(3));
    EXPECT_EQ(call(*again, {"GET", "where"}).str, "three");
}

TEST_F(RedisClient, ABadDatabaseIsNeverConnected) {
    Client c(io.get_executor(), redis.endpoint(100000), quick()); // Redis has 16 by default
    c.start();
    run_for(io, 300ms);
    EXPECT_FALSE(c.connected());
}

TEST_F(RedisClient, FailsAtOnceButAsynchronouslyWhenNotConnected) {
    Client c(io.get_executor(), redis.endpoint(), quick()); // not started
    std::optional<Reply> got;
    c.command({"PING"}, [&](const Reply& r) { got = r; });
    EXPECT_FALSE(got.has_value());
    ASSERT_TRUE(run_until(
        io, [&] { return got.has_value(); }, 100ms));
    EXPECT_TRUE(got->is_error());
    EXPECT_EQ(got->str, kDisconnected);
}

TEST_F(RedisClient, KilledRedisFailsPendingCommandsThenReconnects) {
    std::vector<bool> states;
    auto c = connected_client(redis.endpoint(), quick(), &states);

    std::optional<Reply> blocked;
    c->command({"BLPOP", "never", "0"}, [&](const Reply& r) { blocked = r; });
    run_for(io, 50ms);
    EXPECT_FALSE(blocked.has_value());

    redis.kill();
    ASSERT_TRUE(run_until(
        io, [&] { return states.size() == 2; }, 2s));
    EXPECT_EQ(states, (std::vector<bool>{true, false}));
    EXPECT_FALSE(c->connected());
    ASSERT_TRUE(blocked.has_value());
    EXPECT_EQ(blocked->str, kDisconnected);

    std::optional<Reply> while_down;
    c->command({"GET", "k"}, [&](const Reply& r) { while_down = r; });
    EXPECT_FALSE(while_down.has_value());
    ASSERT_TRUE(run_until(
        io, [&] { return while_down.has_value(); }, 100ms));
    EXPECT_EQ(while_down->str, kDisconnected);

    ASSERT_TRUE(redis.start());
    ASSERT_TRUE(run_until(
        io, [&] { return c->connected(); }, 2s));
    ASSERT_TRUE(run_until(
        io, [&] { return states.size() == 3; }, 100ms));
    EXPECT_TRUE(states.back());
    EXPECT_EQ(call(*c, {"PING"}).str, "PONG");
}

TEST_F(RedisClient, NoticesAStoppedRedisWithinThePingTimeout) {
    const Options opt = quick();
    std::vector<bool> states;
    auto c = connected_client(redis.endpoint(), opt, &states);
    ASSERT_TRUE(run_until(
        io, [&] { return c->last_rtt() > 0us; }, 1s));

    redis.pause();
    const auto stopped_at = std::chrono::steady_clock::now();
    std::optional<Reply> pending;
    c->command({"GET", "k"}, [&](const Reply& r) { pending = r; });
    ASSERT_TRUE(run_until(
        io, [&] { return states.size() == 2; }, 2s));
    const auto noticed = std::chrono::steady_clock::now() - stopped_at;
    EXPECT_LE(noticed, opt.ping_interval + opt.ping_timeout + 200ms);
    EXPECT_FALSE(states[1]);
    ASSERT_TRUE(pending.has_value());
    EXPECT_EQ(pending->str, kDisconnected);

    run_for(io, 400ms); // attempts that connect but get no answer time out
    EXPECT_FALSE(c->connected());

    redis.resume();
    ASSERT_TRUE(run_until(
        io, [&] { return c->connected(); }, 2s));
    EXPECT_EQ(call(*c, {"PING"}).str, "PONG");
}

TEST_F(RedisClient, RetriesAClosedPortWithoutSpinning) {
    redis.kill();
    Options opt = quick();
    opt.reconnect_min = 20ms;
    opt.reconnect_max = 100ms;
    Client c(io.get_executor(), redis.endpoint(), opt);
    c.start();
    // At most ~15 attempts in a second, a handful of handlers each.
    const std::size_t handlers = run_for(io, 1s);
    EXPECT_FALSE(c.connected());
    EXPECT_LT(handlers, 200u);
    ASSERT_TRUE(redis.start()); // and it kept trying
    EXPECT_TRUE(run_until(
        io, [&] { return c.connected(); }, 1s));
}

TEST_F(RedisClient, StopFailsPendingCommandsAndStaysDown) {
    std::vector<bool> states;
    auto c = connected_client(redis.endpoint(), quick(), &states);
    std::optional<Reply> blocked;
    c->command({"BLPOP", "never", "0"}, [&](const Reply& r) { blocked = r; });
    run_for(io, 20ms);
    c->stop();
    EXPECT_FALSE(c->connected());
    EXPECT_FALSE(blocked.has_value()); // delivered later, from the executor
    ASSERT_TRUE(run_until(
        io, [&] { return blocked.has_value(); }, 100ms));
    EXPECT_EQ(blocked->str, kDisconnected);
    run_for(io, 300ms);
    EXPECT_FALSE(c->connected());
    EXPECT_EQ(states, (std::vector<bool>{true, false}));

    c->start(); // and it can come back
    EXPECT_TRUE(run_until(
        io, [&] { return c->connected(); }, 1s));
}

TEST_F(RedisClient, DestructionDropsPendingHandlers) {
    auto c = connected_client(redis.endpoint());
    auto token = std::make_shared<int>(0);
    int called = 0;
    c->command({"BLPOP", "never", "0"}, [&called, token](const Reply&) { ++called; });
    for (int i = 0; i < 100; ++i)
        c->command({"PING"}, [&called, token](const Reply&) { ++called; });
    run_for(io, 1ms); // some replies may have arrived but not been handed over
    c.reset();
    EXPECT_EQ(token.use_count(), 1); // every handler destroyed, none kept
    run_for(io, 100ms);
    EXPECT_EQ(called, 0);
}

TEST_F(RedisClient, CanBeDestroyedFromInsideItsOwnHandler) {
    auto c = connected_client(redis.endpoint());
    int after = 0;
    c->command({"PING"}, [&](const Reply&) { c.reset(); });
    c->command({"PING"}, [&](const Reply&) { ++after; });
    ASSERT_TRUE(run_until(
        io, [&] { return c == nullptr; }, 1s));
    run_for(io, 100ms);
    EXPECT_EQ(after, 0);
}

TEST_F(RedisClient, CanBeDestroyedWhileConnecting) {
    redis.pause(); // accepts the TCP connection, never answers
    auto c = std::make_unique<Client>(io.get_executor(), redis.endpoint(), quick());
    c->start();
    run_for(io, 50ms);
    c.reset();
    run_for(io, 50ms);
    redis.resume();
}
