#include "server/redis/client.hpp"

#include <hiredis/async.h>

#include <limits>
#include <memory>
#include <vector>

namespace fc::redis {

namespace {

// hiredis' privdata for one command: whose queue the reply goes through, and
// to whom.
struct Pending {
    Connection* conn;
    ReplyHandler done;
};

} // namespace

Client::Client(boost::asio::any_io_executor ex, Endpoint ep, Options opt)
    : conn_(std::move(ex), std::move(ep), opt, "client", *this) {}

Client::~Client() {
    conn_.shutdown();
}

void Client::start() {
    conn_.start();
}

void Client::stop() {
    conn_.stop();
}

bool Client::connected() const {
    return conn_.up();
}

void Client::on_state(std::function<void(bool up)> f) {
    on_state_ = std::move(f);
}

std::chrono::microseconds Client::last_rtt() const {
    return conn_.last_rtt();
}

void Client::command(std::initializer_list<std::string_view> args, ReplyHandler done) {
    command(std::span<const std::string_view>(args.begin(), args.size()), std::move(done));
}

void Client::command(std::span<const std::string_view> args, ReplyHandler done) {
    const auto fail = [&](std::string_view why) {
        conn_.deliver([done = std::move(done), reply = error_reply(why)] {
            if (done)
                done(reply);
        });
    };
    redisAsyncContext* ac = conn_.context();
    if (ac == nullptr)
        return fail(kDisconnected);
    if (args.empty() || args.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
        return fail("ERR bad command: no arguments");

    // hiredis copies the arguments into its output buffer before returning.
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const auto& a : args) {
        argv.push_back(a.data() != nullptr ? a.data() : ""); // a default string_view has none
        lens.push_back(a.size());
    }
    auto pending = std::make_unique<Pending>(Pending{&conn_, std::move(done)});
    if (redisAsyncCommandArgv(ac, &Client::on_reply, pending.get(), static_cast<int>(argv.size()),
                              argv.data(), lens.data()) != REDIS_OK) {
        done = std::move(pending->done);
        return fail(kDisconnected);
    }
    (void)pending.release(); // hiredis' now, until on_reply
}

// From inside hiredis: copy the reply (hiredis frees it when we return) and
// queue the handler, which must not run here (it might stop or destroy us).
void Client::on_reply(redisAsyncContext*, void* reply, void* pending_ptr) {
    const std::unique_ptr<Pending> p(static_cast<Pending*>(pending_ptr));
    if (p->conn->destroying())
        return;
    Reply r = reply != nullptr ? copy_reply(*static_cast<const redisReply*>(reply))
                               : error_reply(kDisconnected);
    p->conn->deliver([done = std::move(p->done), r = std::move(r)] {
        if (done)
            done(r);
    });
}

void Client::on_pong(redisAsyncContext*, void* reply, void* self) {
    auto* client = static_cast<Client*>(self);
    // Any answer, even an error (-LOADING, -BUSY), shows that Redis is there.
    if (reply != nullptr && !client->conn_.destroying())
        client->conn_.pong();
}

bool Client::send_ping(redisAsyncContext* ac) {
    const char* argv[] = {"PING"};
    const size_t lens[] = {4};
    return redisAsyncCommandArgv(ac, &Client::on_pong, this, 1, argv, lens) == REDIS_OK;
}

void Client::on_link_up(redisAsyncContext*) {
    notify(true);
}

void Client::on_link_down() {
    notify(false);
}

void Client::notify(bool up) {
    conn_.deliver([this, up] {
        // A copy: the callback may replace itself through on_state().
        if (auto f = on_state_)
            f(up);
    });
}

} // namespace fc::redis
