// A Redis client for commands: one connection, pipelined, reconnecting
// forever until stop(). Replies come back in the order the commands went
// out, each to its own handler, always from the executor.
#pragma once

#include "server/redis/connection.hpp"
#include "server/redis/endpoint.hpp"
#include "server/redis/options.hpp"
#include "server/redis/reply.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <span>
#include <string_view>

namespace fc::redis {

// Everything here runs on one thread: the executor's (a single-threaded
// io_context). Destroy a Client before its io_context.
class Client final : private Connection::Listener {
public:
    Client(boost::asio::any_io_executor ex, Endpoint ep, Options opt = {});
    // Safe at any time, including from inside one of this Client's handlers.
    // Handlers not yet called are dropped (destroyed without being called),
    // even those whose reply had already arrived: after ~Client returns,
    // nothing of this Client runs, so handlers may capture `this` of the
    // Client's owner.
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Begins connecting (again, after stop()).
    void start();
    // Disconnects now, without waiting for replies: pending commands get
    // "ERR disconnected". No more reconnects until start().
    void stop();
    bool connected() const;
    // Called on every change, from the executor: true once connected (after
    // SELECT db if db != 0), false when lost or stopped. By the time it runs
    // connected() may already say otherwise; another call follows.
    void on_state(std::function<void(bool up)> f);

    // Sends a command (binary-safe args, the command name first). `done` is
    // called exactly once, from the executor, never from inside command():
    // with the reply (an error reply from Redis included), or with an error
    // Reply "ERR disconnected" (kDisconnected) when not connected or when
    // the connection drops before the reply. Then Redis may or may not have
    // carried the command out. `done` may be empty.
    // No blocking commands (BLPOP, XREAD BLOCK, WAIT...) beyond ping_timeout:
    // the liveness PING queues behind them, and an unanswered PING drops the
    // link as dead.
    void command(std::span<const std::string_view> args, ReplyHandler done);
    void command(std::initializer_list<std::string_view> args, ReplyHandler done);

    // Round-trip time of the last answered liveness PING, 0 if none yet.
    std::chrono::microseconds last_rtt() const;

private:
    void on_link_up(redisAsyncContext* ac) override;
    void on_link_down() override;
    bool send_ping(redisAsyncContext* ac) override;
    static void on_reply(redisAsyncContext* ac, void* reply, void* pending);
    static void on_pong(redisAsyncContext* ac, void* reply, void* self);
    void notify(bool up);

    std::function<void(bool)> on_state_;
    Connection conn_; // last: its callbacks use the members above
};

} // namespace fc::redis
