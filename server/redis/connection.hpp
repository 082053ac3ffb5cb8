// The link Client and Subscriber both stand on: one hiredis async context
// at a time, on an Asio executor. It resolves, connects (with a deadline),
// runs the handshake (SELECT db, or PING), probes liveness while up, and
// reconnects with backoff until stopped. It also owns the queue through
// which every user callback is delivered, so none runs inside hiredis.
#pragma once

#include "server/redis/endpoint.hpp"
#include "server/redis/options.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

struct redisAsyncContext;

namespace fc::redis {

class Connection {
public:
    // The owner (Client, Subscriber). on_link_up and on_link_down are called
    // from inside hiredis: they may send commands (up) but must neither free
    // nor disconnect the context, nor run user code (deliver() it instead).
    class Listener {
    public:
        // Connected and the handshake answered; `ac` is valid until
        // on_link_down.
        virtual void on_link_up(redisAsyncContext* ac) = 0;
        // The link that was up is gone (lost, dropped or stopped); its
        // pending commands have had their null replies. Not called while the
        // Connection is being shut down for destruction.
        virtual void on_link_down() = 0;
        // Sends one liveness probe on `ac`, whose answer must reach
        // Connection::pong(). False if it could not be sent.
        virtual bool send_ping(redisAsyncContext* ac) = 0;

    protected:
        ~Listener() = default;
    };

    // `role` names the owner in logs ("client", "subscriber").
    Connection(boost::asio::any_io_executor ex, Endpoint ep, Options opt, std::string_view role,
               Listener& listener);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void start();
    // Frees the context now (pending callbacks get null replies) and makes
    // no more attempts until start().
    void stop();
    // For the owner's destructor, called first so the owner's hiredis
    // callbacks still find the owner whole: frees the context without
    // telling the listener, drops queued deliveries, and from then on
    // destroying() is true (callbacks must drop their handlers, not deliver
    // them). Idempotent; the destructor calls it too.
    void shutdown();
    bool destroying() const { return destroying_; }

    bool up() const { return state_ == State::up; }
    // The context while up, else null: commands go only to a link that has
    // answered its handshake, so a SELECT always precedes them.
    redisAsyncContext* context() const { return up() ? ac_ : nullptr; }
    // The answer to the probe the listener sent.
    void pong();
    std::chrono::microseconds last_rtt() const { return last_rtt_; }
    // Runs `fn` from the executor on a later turn, after everything
    // delivered before it; never if the Connection is destroyed first.
    void deliver(std::function<void()> fn);
    const boost::asio::any_io_executor& executor() const { return ex_; }

private:
    enum class State { idle, resolving, connecting, up, waiting, stopped };

    static void on_handshake(redisAsyncContext* ac, void* reply, void* self);

    void attempt();
    void open(const std::string& address);
    void on_up();
    void failed(std::string_view reason);
    void on_context_gone();
    void schedule_retry();
    void drop(std::string_view reason);
    void defer_drop(std::string reason);
    void arm_ping();
    void send_ping();
    void drain();
    std::weak_ptr<char> alive() const { return life_; }

    boost::asio::any_io_executor ex_;
    Endpoint ep_;
    Options opt_;
    std::string role_;
    std::string where_; // to_string(ep_), for logs
    Listener& listener_;

    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::steady_timer connect_timer_;
    boost::asio::steady_timer retry_timer_;
    boost::asio::steady_timer ping_timer_;
    boost::asio::steady_timer ping_deadline_;

    State state_ = State::idle;
    bool stopped_ = false;
    bool destroying_ = false;
    redisAsyncContext* ac_ = nullptr;
    // Bumped for every attempt and every lost context: a timer or resolver
    // completion already queued when its attempt ended carries an older
    // number and does nothing (cancel() cannot recall a queued completion).
    std::uint64_t gen_ = 0;
    std::string drop_reason_;    // why we freed the context, for the log
    bool outage_logged_ = false; // one warning per outage, not per retry
    std::chrono::milliseconds backoff_;
    std::minstd_rand rng_;

    bool ping_outstanding_ = false;
    std::uint64_t ping_seq_ = 0;
    std::chrono::steady_clock::time_point ping_sent_{};
    std::chrono::microseconds last_rtt_{0};

    std::vector<std::function<void()>> outbox_;
    bool drain_posted_ = false;
    // Handlers queued on the executor hold a weak_ptr to this: expired means
    // the Connection is gone and they must not touch it.
    std::shared_ptr<char> life_ = std::make_shared<char>();
};

} // namespace fc::redis
