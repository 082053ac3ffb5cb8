// The simulated clients of one run: opens them (a bounded number at a
// time, over the chosen source addresses), joins each into its room, and
// passes what they hear to the scenario through hooks.
#pragma once

#include "bench/loadgen/client.hpp"
#include "bench/loadgen/options.hpp"
#include "bench/loadgen/stats.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace fc::loadgen {

// True for an acknowledgement `{"ok": true, ...}`.
bool ack_ok(const boost::json::value& ack);

class Fleet final : public ClientObserver {
public:
    Fleet(boost::asio::io_context& io, const Options& options);

    // Opens and joins every client; `done` runs once each has joined or failed.
    void connect_and_join(std::function<void()> done);
    // A new connection for client `index` with the same clientId (a reload);
    // `joined(client, ack)` runs with the join acknowledgement.
    std::shared_ptr<Client> reconnect(std::size_t index,
                                      std::function<void(Client&, const boost::json::value&)> joined);

    std::string room_name(std::size_t room) const;
    std::size_t room_count() const { return (options_.clients + options_.room_size - 1) / options_.room_size; }
    // Indices of the members of a room.
    std::vector<std::size_t> members(std::size_t room) const;
    // Counts a failure by its reason; the reasons go into the report.
    void failure(const std::string& why) { ++failures_[why]; ++failure_count_; }
    std::size_t failure_count() const { return failure_count_; }
    boost::json::object report() const;

    std::vector<std::shared_ptr<Client>> clients;
    std::size_t joined = 0;
    std::size_t closed_after_join = 0;
    double connect_and_join_seconds = 0;
    // Per client: from opening its connection to its join acknowledgement.
    mutable LatencyRecorder join_latency;

    std::function<void(Client&, const boost::json::value& ack)> on_joined_hook;
    std::function<void(Client&, std::string_view)> on_signal_hook;
    std::function<void(Client&, std::string_view, const boost::json::value&)> on_event_hook;

    // ClientObserver
    void on_connected(Client& c) override;
    void on_closed(Client& c, std::string_view why) override;
    void on_signal(Client& c, std::string_view text) override;
    void on_event(Client& c, std::string_view name, const boost::json::value& arg) override;

private:
    std::shared_ptr<Client> make(std::size_t index);
    void join(Client& c);
    void open_more();
    void settled();

    boost::asio::io_context& io_;
    const Options& options_;
    Endpoint endpoint_;
    Endpoint endpoint2_; // --server2: odd room positions
    std::string run_tag_;
    std::size_t next_ = 0;
    std::size_t in_flight_ = 0;
    std::size_t settled_ = 0;
    std::int64_t started_ns_ = 0;
    std::map<const Client*, std::int64_t> opened_ns_;
    std::function<void()> done_;
    std::map<std::string, std::size_t> failures_;
    std::size_t failure_count_ = 0;
    // Clients still opening or joining, each waiting for its callback.
    std::map<const Client*, std::function<void(Client&, const boost::json::value&)>> pending_;
    // Where the WebSocket clients wait to be read. Last, so it goes first:
    // the clients it lets go of find the fleet whole.
    websocket::ReadySet ready_;
};

} // namespace fc::loadgen
