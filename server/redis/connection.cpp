#include "server/redis/connection.hpp"

#include "server/redis/asio_adapter.hpp"

#include "server/base/log.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <hiredis/async.h>

#include <algorithm>

namespace fc::redis {

namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {
// Zero or negative backoff would turn a refused connect into a busy loop.
std::chrono::milliseconds at_least_1ms(std::chrono::milliseconds d) {
    return std::max(d, std::chrono::milliseconds(1));
}
} // namespace

Connection::Connection(net::any_io_executor ex, Endpoint ep, Options opt, std::string_view role,
                       Listener& listener)
    : ex_(std::move(ex)), ep_(std::move(ep)), opt_(opt), role_(role), where_(to_string(ep_)),
      listener_(listener), resolver_(ex_), connect_timer_(ex_), retry_timer_(ex_), ping_timer_(ex_),
      ping_deadline_(ex_), backoff_(at_least_1ms(opt_.reconnect_min)),
      rng_(std::random_device{}()) {
    opt_.reconnect_max = std::max(opt_.reconnect_max, backoff_);
}

Connection::~Connection() {
    shutdown();
}

void Connection::start() {
    if (destroying_ || (state_ != State::idle && state_ != State::stopped))
        return;
    stopped_ = false;
    outage_logged_ = false;
    backoff_ = at_least_1ms(opt_.reconnect_min);
    attempt();
}

void Connection::stop() {
    if (destroying_ || stopped_)
        return;
    stopped_ = true;
    const bool was_running = state_ != State::idle;
    ++gen_;
    resolver_.cancel();
    connect_timer_.cancel();
    retry_timer_.cancel();
    if (ac_ != nullptr)
        drop("stopped"); // on_context_gone() tells the listener and ends in State::stopped
    state_ = State::stopped;
    if (was_running)
        log::info("redis.stopped", {{"role", role_}, {"endpoint", where_}});
}

void Connection::shutdown() {
    if (destroying_)
        return;
    destroying_ = true;
    stopped_ = true;
    life_.reset();
    resolver_.cancel();
    connect_timer_.cancel();
    retry_timer_.cancel();
    ping_timer_.cancel();
    ping_deadline_.cancel();
    if (ac_ != nullptr)
        redisAsyncFree(ac_); // our callbacks see destroying_ and drop their handlers
    ac_ = nullptr;
    outbox_.clear();
    state_ = State::stopped;
}

void Connection::attempt() {
    ++gen_;
    state_ = State::resolving;
    // One deadline for the whole attempt: resolving, TCP connect, handshake.
    connect_timer_.expires_after(at_least_1ms(opt_.connect_timeout));
    connect_timer_.async_wait([this, w = alive(), gen = gen_](const boost::system::error_code&) {
        if (w.expired() || gen != gen_)
            return;
        if (state_ == State::resolving) {
            resolver_.cancel();
            failed("timed out resolving the host");
        } else if (state_ == State::connecting) {
            drop("no answer within connect_timeout");
        }
    });

    boost::system::error_code ec;
    const auto literal = net::ip::make_address(ep_.host, ec);
    if (!ec) {
        open(literal.to_string());
        return;
    }
    // hiredis would resolve a name with a blocking getaddrinfo() on our
    // thread; Asio's resolver does it off the event loop.
    resolver_.async_resolve(
        ep_.host, std::to_string(ep_.port),
        [this, w = alive(), gen = gen_](const boost::system::error_code& ec,
                                        const net::ip::tcp::resolver::results_type& results) {
            if (w.expired() || gen != gen_ || state_ != State::resolving)
                return;
            if (ec || results.empty())
                failed(ec ? ec.message() : "host has no address");
            else
                open(results.begin()->endpoint().address().to_string());
        });
}

void Connection::open(const std::string& address) {
    redisAsyncContext* ac = redisAsyncConnect(address.c_str(), ep_.port);
    if (ac == nullptr)
        return failed("out of memory");
    if (ac->err != 0) { // e.g. ECONNREFUSED at once, as on loopback
        const std::string why = ac->errstr;
        redisAsyncFree(ac); // no hooks and no callbacks yet: frees at once
        return failed(why);
    }
    if (!AsioAdapter::attach(ex_, ac, [this] { on_context_gone(); })) {
        redisAsyncFree(ac);
        return failed("cannot watch the socket");
    }
    ac_ = ac;
    state_ = State::connecting;
    // hiredis 0.14 watches the socket only once a command is queued; the
    // handshake is that command, and its answer (not the TCP connect) is
    // what "connected" means here.
    const std::string db = std::to_string(ep_.db);
    const char* argv[] = {"SELECT", db.c_str()};
    const size_t lens[] = {6, db.size()};
    const char* ping[] = {"PING"};
    const size_t ping_len[] = {4};
    const int rc =
        ep_.db != 0 ? redisAsyncCommandArgv(ac, &Connection::on_handshake, this, 2, argv, lens)
                    : redisAsyncCommandArgv(ac, &Connection::on_handshake, this, 1, ping, ping_len);
    if (rc != REDIS_OK)
        drop("cannot queue the handshake");
}

void Connection::on_handshake(redisAsyncContext* ac, void* reply, void* self_ptr) {
    auto* self = static_cast<Connection*>(self_ptr);
    // A null reply: the context is being freed, and on_context_gone() follows.
    if (reply == nullptr || self->destroying_ || ac != self->ac_)
        return;
    const auto* r = static_cast<const redisReply*>(reply);
    if (r->type == REDIS_REPLY_ERROR) // a bad db number, or -LOADING after a restart
        return self->defer_drop("handshake refused: " + std::string(r->str, r->len));
    self->on_up();
}

void Connection::on_up() {
    state_ = State::up;
    connect_timer_.cancel();
    backoff_ = at_least_1ms(opt_.reconnect_min);
    outage_logged_ = false;
    ping_outstanding_ = false;
    log::info("redis.up", {{"role", role_}, {"endpoint", where_}});
    arm_ping();
    listener_.on_link_up(ac_);
}

void Connection::failed(std::string_view reason) {
    connect_timer_.cancel();
    if (stopped_) {
        state_ = State::stopped;
        return;
    }
    if (!outage_logged_) {
        log::warn("redis.connect_failed",
                  {{"role", role_}, {"endpoint", where_}, {"reason", reason}});
        outage_logged_ = true;
    }
    schedule_retry();
}

// Called from inside hiredis (the adapter's cleanup), whoever freed the
// context: so no hiredis calls here, only bookkeeping and timers.
void Connection::on_context_gone() {
    const bool was_up = state_ == State::up;
    std::string reason = drop_reason_;
    drop_reason_.clear();
    if (reason.empty())
        reason = ac_ != nullptr && ac_->err != 0 ? ac_->errstr : "connection closed";
    ac_ = nullptr;
    ++gen_;
    connect_timer_.cancel();
    ping_timer_.cancel();
    ping_deadline_.cancel();
    ping_outstanding_ = false;
    if (destroying_)
        return;
    if (!was_up)
        return failed(reason);
    if (!stopped_) {
        log::warn("redis.down", {{"role", role_}, {"endpoint", where_}, {"reason", reason}});
        outage_logged_ = true;
    }
    state_ = stopped_ ? State::stopped : State::waiting;
    listener_.on_link_down();
    if (!stopped_)
        schedule_retry();
}

void Connection::schedule_retry() {
    if (stopped_ || destroying_) {
        state_ = State::stopped;
        return;
    }
    state_ = State::waiting;
    const auto cut = std::uniform_int_distribution<std::int64_t>(0, backoff_.count() / 4)(rng_);
    const auto wait = backoff_ - std::chrono::milliseconds(cut);
    backoff_ = std::min(backoff_ * 2, opt_.reconnect_max);
    retry_timer_.expires_after(wait);
    retry_timer_.async_wait([this, w = alive(), gen = gen_](const boost::system::error_code&) {
        if (w.expired() || gen != gen_ || state_ != State::waiting)
            return;
        attempt();
    });
}

// Only from the executor, never from inside hiredis: redisAsyncFree() runs
// the pending callbacks and on_context_gone() before it returns.
void Connection::drop(std::string_view reason) {
    if (ac_ == nullptr)
        return;
    drop_reason_ = std::string(reason);
    redisAsyncFree(ac_);
}

// For hiredis callbacks, where freeing the context is not allowed.
void Connection::defer_drop(std::string reason) {
    net::post(ex_, [this, w = alive(), gen = gen_, reason = std::move(reason)] {
        if (!w.expired() && gen == gen_)
            drop(reason);
    });
}

void Connection::arm_ping() {
    ping_timer_.expires_after(at_least_1ms(opt_.ping_interval));
    ping_timer_.async_wait([this, w = alive(), gen = gen_](const boost::system::error_code&) {
        if (w.expired() || gen != gen_ || state_ != State::up)
            return;
        send_ping();
        if (gen == gen_) // send_ping() may have dropped the link
            arm_ping();
    });
}

// One probe at a time: while one is unanswered, ticks only wait for its
// deadline, so a slow Redis is not sent a pile of PINGs.
void Connection::send_ping() {
    if (ping_outstanding_)
        return;
    if (!listener_.send_ping(ac_))
        return drop("cannot queue a PING");
    ping_outstanding_ = true;
    ping_sent_ = std::chrono::steady_clock::now();
    ping_deadline_.expires_after(at_least_1ms(opt_.ping_timeout));
    ping_deadline_.async_wait(
        [this, w = alive(), gen = gen_, seq = ++ping_seq_](const boost::system::error_code&) {
            if (w.expired() || gen != gen_ || seq != ping_seq_ || !ping_outstanding_)
                return;
            drop("no answer to PING within ping_timeout");
        });
}

void Connection::pong() {
    if (!ping_outstanding_)
        return;
    ping_outstanding_ = false;
    last_rtt_ = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - ping_sent_);
    ping_deadline_.cancel();
}

void Connection::deliver(std::function<void()> fn) {
    if (destroying_)
        return;
    outbox_.push_back(std::move(fn));
    if (drain_posted_)
        return;
    drain_posted_ = true;
    net::post(ex_, [this, w = alive()] {
        if (!w.expired())
            drain();
    });
}

// Runs what was queued when the drain began; what those callbacks queue
// waits for the next turn, so a handler that retries at once while Redis is
// down cannot keep this loop going forever. A callback may destroy the
// owner (and this): `w` tells, and the rest of the batch is then dropped.
void Connection::drain() {
    drain_posted_ = false;
    std::vector<std::function<void()>> batch;
    batch.swap(outbox_);
    const std::weak_ptr<char> w = life_;
    for (auto& fn : batch) {
        if (w.expired())
            return;
        fn();
    }
}

} // namespace fc::redis
