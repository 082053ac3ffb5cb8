#include "server/redis/subscriber.hpp"

#include <hiredis/async.h>

#include <vector>

namespace fc::redis {

namespace {

std::string_view text(const redisReply* r) {
    return r->type == REDIS_REPLY_STRING ? std::string_view(r->str, r->len) : std::string_view{};
}

// SUBSCRIBE or UNSUBSCRIBE `channels` (binary-safe). Every answer, and every
// message, goes to `on_reply`: hiredis 0.14 keeps one callback per channel.
bool send(redisAsyncContext* ac, std::string_view verb,
          const std::vector<std::string_view>& channels, redisCallbackFn* on_reply, void* self) {
    std::vector<const char*> argv{verb.data()};
    std::vector<size_t> lens{verb.size()};
    for (const auto c : channels) {
        argv.push_back(c.data() != nullptr ? c.data() : "");
        lens.push_back(c.size());
    }
    return redisAsyncCommandArgv(ac, on_reply, self, static_cast<int>(argv.size()), argv.data(),
                                 lens.data()) == REDIS_OK;
}

} // namespace

Subscriber::Subscriber(boost::asio::any_io_executor ex, Endpoint ep, Options opt)
    : conn_(std::move(ex), std::move(ep), opt, "subscriber", *this) {}

Subscriber::~Subscriber() {
    conn_.shutdown();
}

void Subscriber::start() {
    conn_.start();
}

void Subscriber::stop() {
    conn_.stop();
}

void Subscriber::on_state(std::function<void(bool up)> f) {
    on_state_ = std::move(f);
}

void Subscriber::subscribe(std::string channel, MessageHandler on_message) {
    auto [it, inserted] = channels_.try_emplace(std::move(channel));
    it->second = std::make_shared<MessageHandler>(std::move(on_message));
    redisAsyncContext* ac = conn_.context();
    if (!inserted || ac == nullptr)
        return; // already subscribed, or on_link_up() will
    if (send(ac, "SUBSCRIBE", {it->first}, &Subscriber::on_reply, this) && !up_)
        unconfirmed_.insert(it->first);
}

void Subscriber::unsubscribe(const std::string& channel) {
    if (channels_.erase(channel) == 0)
        return;
    // hiredis refuses UNSUBSCRIBE before any SUBSCRIBE on this link; then
    // there is nothing to undo.
    if (redisAsyncContext* ac = conn_.context())
        (void)send(ac, "UNSUBSCRIBE", {channel}, &Subscriber::on_reply, this);
}

void Subscriber::on_link_up(redisAsyncContext* ac) {
    unconfirmed_.clear();
    if (channels_.empty())
        return set_up(true);
    std::vector<std::string_view> names;
    names.reserve(channels_.size());
    for (const auto& [name, handler] : channels_) {
        names.push_back(name);
        unconfirmed_.insert(name);
    }
    // One SUBSCRIBE for all: Redis confirms each channel separately.
    if (!send(ac, "SUBSCRIBE", names, &Subscriber::on_reply, this))
        unconfirmed_.clear(); // cannot happen on a fresh link; the next ping fails too
}

void Subscriber::on_link_down() {
    unconfirmed_.clear();
    set_up(false);
}

bool Subscriber::send_ping(redisAsyncContext* ac) {
    return send(ac, "SUBSCRIBE", {kLivenessChannel}, &Subscriber::on_reply, this);
}

// From inside hiredis, for every subscribe-mode answer and message. Null
// when the context is being freed: nothing to do then.
void Subscriber::on_reply(redisAsyncContext*, void* reply, void* self_ptr) {
    auto* self = static_cast<Subscriber*>(self_ptr);
    const auto* r = static_cast<const redisReply*>(reply);
    if (r == nullptr || self->conn_.destroying() || r->type != REDIS_REPLY_ARRAY || r->elements < 3)
        return;
    const std::string_view kind = text(r->element[0]);
    const std::string_view channel = text(r->element[1]);
    if (kind == "message") {
        // Looked up when delivered, not now, so that unsubscribe() stops
        // messages that had already arrived.
        self->conn_.deliver(
            [self, channel = std::string(channel), payload = std::string(text(r->element[2]))] {
                const auto it = self->channels_.find(channel);
                if (it == self->channels_.end())
                    return;
                const std::shared_ptr<MessageHandler> handler = it->second;
                if (*handler)
                    (*handler)(payload);
            });
    } else if (kind == "subscribe") {
        if (channel == kLivenessChannel)
            self->conn_.pong();
        if (self->unconfirmed_.erase(std::string(channel)) != 0 && self->unconfirmed_.empty() &&
            self->conn_.up())
            self->set_up(true);
    }
}

void Subscriber::set_up(bool up) {
    if (up_ == up)
        return;
    up_ = up;
    conn_.deliver([this, up] {
        if (auto f = on_state_)
            f(up);
    });
}

} // namespace fc::redis
