// A Redis connection in subscribe mode: channels and their handlers are
// remembered here and subscribed again after every reconnect, so a caller
// subscribes once for the life of the Subscriber.
#pragma once

#include "server/redis/connection.hpp"
#include "server/redis/endpoint.hpp"
#include "server/redis/options.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace fc::redis {

// Everything here runs on one thread: the executor's (a single-threaded
// io_context). Destroy a Subscriber before its io_context.
class Subscriber final : private Connection::Listener {
public:
    using MessageHandler = std::function<void(std::string_view payload)>;

    // Liveness: in subscribe mode hiredis 0.14 cannot take a PING (it would
    // route the ["pong", ""] answer by its second element as if it were a
    // pattern, and keep the PING's callback until the link closes), so the
    // probe is a SUBSCRIBE to this channel, which Redis confirms just as
    // promptly. Reserved: do not subscribe to it yourself.
    static constexpr std::string_view kLivenessChannel = "fc:redis:liveness";

    Subscriber(boost::asio::any_io_executor ex, Endpoint ep, Options opt = {});
    // Safe at any time, including from inside one of its handlers; no
    // handler of this Subscriber runs after it returns.
    ~Subscriber();
    Subscriber(const Subscriber&) = delete;
    Subscriber& operator=(const Subscriber&) = delete;

    void start();
    void stop();
    // Connected and every channel subscribed at (re)connect confirmed.
    bool connected() const { return up_; }
    // Called from the executor on every change of connected(). Channels
    // added while up do not turn it false while their SUBSCRIBE is in
    // flight: messages published before Redis confirms one may be missed.
    void on_state(std::function<void(bool up)> f);

    // Messages on `channel` go to `on_message(payload)` (binary-safe), from
    // the executor. Call before or after start(). Subscribing again to the
    // same channel replaces its handler.
    void subscribe(std::string channel, MessageHandler on_message);
    // No message on `channel` is handed over after this returns, not even
    // one that had already arrived.
    void unsubscribe(const std::string& channel);

    // Round-trip time of the last answered liveness probe, 0 if none yet.
    std::chrono::microseconds last_rtt() const { return conn_.last_rtt(); }

private:
    void on_link_up(redisAsyncContext* ac) override;
    void on_link_down() override;
    bool send_ping(redisAsyncContext* ac) override;
    static void on_reply(redisAsyncContext* ac, void* reply, void* self);
    void set_up(bool up);

    // shared_ptr: a handler may unsubscribe itself (or replace itself)
    // while it runs; the copy held by the caller keeps it alive.
    std::unordered_map<std::string, std::shared_ptr<MessageHandler>> channels_;
    // Sent on this link and not yet confirmed: up_ waits for it to empty.
    std::unordered_set<std::string> unconfirmed_;
    bool up_ = false;
    std::function<void(bool)> on_state_;
    Connection conn_; // last: its callbacks use the members above
};

} // namespace fc::redis
