#include "bench/loadgen/fleet.hpp"

#include <boost/json/serialize.hpp>

#include <unistd.h>

namespace fc::loadgen {

namespace json = boost::json;

bool ack_ok(const json::value& ack) {
    const auto* o = ack.if_object();
    const auto* ok = o ? o->if_contains("ok") : nullptr;
    return ok && ok->is_bool() && ok->as_bool();
}

Fleet::Fleet(boost::asio::io_context& io, const Options& options)
    : io_(io), options_(options), run_tag_(std::to_string(::getpid())), ready_(io.get_executor()) {
    endpoint_.server = {boost::asio::ip::make_address(options.host), options.port};
    endpoint_.host_header = options.host + ":" + std::to_string(options.port);
    if (options.port2 != 0) {
        endpoint2_.server = {boost::asio::ip::make_address(options.host2), options.port2};
        endpoint2_.host_header = options.host2 + ":" + std::to_string(options.port2);
    }
    clients.resize(options.clients);
}

std::string Fleet::room_name(std::size_t room) const {
    return "lg-" + run_tag_ + "-" + std::to_string(room);
}

std::vector<std::size_t> Fleet::members(std::size_t room) const {
    std::vector<std::size_t> out;
    for (auto i = room * options_.room_size; i < std::min(options_.clients, (room + 1) * options_.room_size); ++i)
        out.push_back(i);
    return out;
}

std::shared_ptr<Client> Fleet::make(std::size_t index) {
    auto source = options_.sources > 1
                      ? boost::asio::ip::make_address_v4(0x7f000001u + static_cast<unsigned>(index % options_.sources))
                      : boost::asio::ip::address_v4();
    auto transport = index < options_.polling ? "polling" : "websocket";
    // With a second node, alternate room positions between the nodes: the
    // next member of every client's room is on the other node.
    const Endpoint& ep = options_.port2 != 0 && (index % options_.room_size) % 2 == 1 ? endpoint2_ : endpoint_;
    auto c = make_client(transport, io_, ready_, ep, boost::asio::ip::address(source), *this, index);
    c->room = index / options_.room_size;
    c->client_id = "lg" + run_tag_ + "x" + std::to_string(index);
    while (c->client_id.size() < 8) c->client_id += '0';
    return c;
}

void Fleet::connect_and_join(std::function<void()> done) {
    done_ = std::move(done);
    started_ns_ = now_ns();
    if (options_.clients == 0) return settled();
    open_more();
}

void Fleet::open_more() {
    while (in_flight_ < options_.connect_concurrency && next_ < options_.clients) {
        auto index = next_++;
        ++in_flight_;
        clients[index] = make(index);
        pending_[clients[index].get()] = [this](Client& c, const json::value& ack) {
            if (on_joined_hook) on_joined_hook(c, ack);
            --in_flight_;
            settled();
            open_more();
        };
        opened_ns_[clients[index].get()] = now_ns();
        clients[index]->start();
    }
}

void Fleet::settled() {
    if (++settled_ >= options_.clients || options_.clients == 0) {
        connect_and_join_seconds = static_cast<double>(now_ns() - started_ns_) / 1e9;
        if (done_) {
            auto d = std::move(done_);
            done_ = nullptr;
            d();
        }
    }
}

std::shared_ptr<Client> Fleet::reconnect(std::size_t index,
                                         std::function<void(Client&, const json::value&)> joined) {
    auto c = make(index);
    pending_[c.get()] = std::move(joined);
    c->start();
    return c;
}

void Fleet::join(Client& c) {
    json::object args;
    args["roomId"] = room_name(c.room);
    args["clientId"] = c.client_id;
    args["displayName"] = "bench";
    c.emit("\"join-room\"," + json::serialize(args), [this, &c](const json::value& ack) {
        auto it = pending_.find(&c);
        if (it == pending_.end()) return;
        auto then = std::move(it->second);
        pending_.erase(it);
        if (ack_ok(ack)) {
            c.peer_id = ack.as_object().at("peerId").as_string();
            ++joined;
            if (auto o = opened_ns_.find(&c); o != opened_ns_.end()) {
                join_latency.add(now_ns() - o->second);
                opened_ns_.erase(o);
            }
        } else {
            failure("join refused: " + json::serialize(ack));
        }
        then(c, ack);
    });
}

void Fleet::on_connected(Client& c) {
    // Every client joins as soon as its namespace is open; the pending
    // callback runs with the acknowledgement (or the failure).
    if (pending_.contains(&c)) join(c);
}

void Fleet::on_closed(Client& c, std::string_view why) {
    auto it = pending_.find(&c);
    if (it != pending_.end()) {
        // Failed before it joined.
        auto then = std::move(it->second);
        pending_.erase(it);
        failure(std::string(why));
        then(c, json::value());
        return;
    }
    if (!c.peer_id.empty() && why != "closed by the load generator") {
        ++closed_after_join;
        failure(std::string(why));
    }
}

void Fleet::on_signal(Client& c, std::string_view text) {
    if (on_signal_hook) on_signal_hook(c, text);
}

void Fleet::on_event(Client& c, std::string_view name, const json::value& arg) {
    if (on_event_hook) on_event_hook(c, name, arg);
}

json::object Fleet::report() const {
    json::object o;
    o["clients"] = options_.clients;
    o["polling_clients"] = std::min(options_.polling, options_.clients);
    o["room_size"] = options_.room_size;
    o["joined"] = joined;
    o["connect_and_join_s"] = connect_and_join_seconds;
    if (join_latency.count() > 0) o["join_latency"] = join_latency.summary();
    o["closed_after_join"] = closed_after_join;
    json::object f;
    for (const auto& [why, n] : failures_) f[why] = n;
    o["failures"] = failure_count_;
    o["failure_reasons"] = std::move(f);
    return o;
}

} // namespace fc::loadgen
