// Test support for the cluster tests: one node's share of a cluster (its
// two Redis connections and its RedisDirectory) on an io_context the test
// owns, started against a real redis-server (tests/unit/redis/
// redis_server.hpp), and an event-loop runner that waits for quiet.
#pragma once

#include "server/cluster/redis_directory.hpp"
#include "server/redis/client.hpp"
#include "server/redis/subscriber.hpp"

#include "tests/unit/redis/redis_server.hpp"

#include <boost/asio/io_context.hpp>

#include <hiredis/hiredis.h>

#include <chrono>
#include <functional>
#include <string>

namespace fc::cluster::test {

using namespace std::chrono_literals;

// Empties the Redis database at once (a blocking connection of its own):
// every directory starts on a clean cluster.
inline bool flush(const redis::test::RedisServer& server) {
    const timeval tv{1, 0};
    redisContext* c = redisConnectWithTimeout("127.0.0.1", server.port(), tv);
    bool ok = false;
    if (c != nullptr && c->err == 0) {
        auto* r = static_cast<redisReply*>(redisCommand(c, "FLUSHDB"));
        ok = r != nullptr && r->type == REDIS_REPLY_STATUS;
        if (r != nullptr)
            freeReplyObject(r);
    }
    redisFree(c);
    return ok;
}

// A node tag (8 base64url characters) for the n-th directory of a run.
inline std::string node_tag(unsigned n) {
    std::string tag = "nodeAAAA";
    for (int i = 7; i >= 4 && n > 0; --i, n /= 26)
        tag[static_cast<std::size_t>(i)] = static_cast<char>('A' + n % 26);
    return tag;
}

// Runs `io` until `done()` holds and nothing ran for `quiet`, for at most
// `limit`: what a directory sends itself through Redis (a join's notices,
// a leave's script) arrives within a few turns, and a silence this long
// means it has. False if `limit` passed first.
inline bool settle(boost::asio::io_context& io, const std::function<bool()>& done,
                   std::chrono::milliseconds quiet = 30ms, std::chrono::milliseconds limit = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    auto silent = 0ms;
    while (std::chrono::steady_clock::now() < deadline) {
        const bool ran = redis::test::run_for(io, 5ms) > 0;
        silent = ran ? 0ms : silent + 5ms;
        if (silent >= quiet && done())
            return true;
    }
    return false;
}

// One node: the connections first, so the directory (which uses them) is
// destroyed before them.
struct Node {
    redis::Client commands;
    redis::Subscriber events;
    RedisDirectory directory;

    Node(boost::asio::io_context& io, const redis::test::RedisServer& server,
         DirectorySettings settings,
         std::function<rooms::Clock::time_point()> clock = rooms::Clock::now)
        : commands(io.get_executor(), server.endpoint()),
          events(io.get_executor(), server.endpoint()),
          directory(io.get_executor(), commands, events, std::move(settings), std::move(clock)) {}

    // Starts everything and waits (bounded) until the directory shares its
    // rooms through Redis.
    bool start(boost::asio::io_context& io) {
        commands.start();
        events.start();
        directory.start();
        return redis::test::run_until(
            io, [&] { return directory.redis_up(); }, 5s);
    }
};

// Settings for a test node: the address is never dialled here.
inline DirectorySettings settings(std::string node, std::size_t max_room_size = 64) {
    DirectorySettings s;
    s.node = std::move(node);
    s.address = "127.0.0.1:1";
    s.max_room_size = max_room_size;
    s.grace = 45s;
    return s;
}

} // namespace fc::cluster::test
