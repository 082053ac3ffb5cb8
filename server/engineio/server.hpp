// The Engine.IO server: the session table, the handshake, and the routing
// of polling requests and WebSocket connections to their sessions'
// transports.
#pragma once

#include "server/engineio/errors.hpp"
#include "server/engineio/memory_budget.hpp"
#include "server/engineio/session.hpp"
#include "server/engineio/settings.hpp"
#include "server/engineio/transport.hpp"
#include "server/websocket/ready_set.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/verb.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace fc::engineio {

// Counters for /metrics; plain integers, touched only on the io thread.
struct Stats {
    std::uint64_t handshakes = 0;
    std::uint64_t upgrades = 0;
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t slow_consumers = 0;   // dropped: queue over its bound
    std::uint64_t over_budget = 0;      // refused bytes: the server's budget was spent
    std::uint64_t memory_limited = 0;   // dropped: held bytes over the client's bound
    std::uint64_t write_timeouts = 0;   // cut: a write stuck for write_timeout
    std::uint64_t input_timeouts = 0;   // closed: buffered input stuck for write_timeout
    std::uint64_t bad_requests = 0;
};

class Server {
public:
    // Called for every new session, before any message arrives: the place
    // to install the session's handler (the Socket.IO layer).
    using ConnectionHandler = std::function<void(Session&)>;

    Server(boost::asio::any_io_executor executor, Settings settings,
           ConnectionHandler on_connection);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    const Settings& settings() const { return settings_; }
    const boost::asio::any_io_executor& executor() const { return executor_; }
    Stats& stats() { return stats_; }
    const Stats& stats() const { return stats_; }
    MemoryBudget& budget() { return budget_; }
    const MemoryBudget& budget() const { return budget_; }
    // Where plain WebSocket connections wait to be read.
    websocket::ReadySet& ready_set() { return ready_set_; }
    // The watchdog's clock: one tick a second. Sessions stamp their writes
    // with it, which costs nothing per write.
    std::uint64_t tick() const { return tick_; }
    std::size_t session_count() const { return sessions_.size(); }
    std::size_t session_count(TransportKind kind) const;

    // A non-upgrade HTTP request on the engine path: a handshake, or a GET
    // or POST for a polling session's transport.
    void handle_polling(boost::beast::http::verb method, std::string_view query,
                        std::string_view body, const std::string& remote_address,
                        const PollExchangePtr& exchange);

    // Whether `sid` names a session here that is not closing.
    bool has_session(std::string_view sid) const;

    // Checks a WebSocket upgrade request before it is accepted; on an error
    // the caller answers HTTP 400 with error_body().
    std::optional<RequestError> check_websocket(std::string_view query) const;
    // After the WebSocket handshake: opens a new session, or starts the
    // upgrade of the polling session named by sid. Returns the session the
    // transport reports to, or null when it must be closed.
    std::shared_ptr<Session> attach_websocket(std::string_view query,
                                              const std::string& remote_address,
                                              const TransportPtr& transport);

    // Closes every session (shutdown).
    void close_all(std::string_view reason);

    // For Session.
    void on_session_closed(const std::string& id);

private:
    std::shared_ptr<Session> open_session(const std::string& remote_address);
    // The whole open packet: "0" and the handshake JSON.
    std::string open_packet(const std::string& sid, bool upgrades) const;
    void reject(const PollExchangePtr& exchange, RequestError e);
    void arm_watchdog();
    void on_watchdog();

    boost::asio::any_io_executor executor_;
    Settings settings_;
    ConnectionHandler on_connection_;
    std::unordered_map<std::string, std::shared_ptr<Session>> sessions_;
    Stats stats_;
    MemoryBudget budget_;
    // One timer for every session's write deadline, instead of one per
    // connection: a hundred thousand idle connections hold no timer.
    boost::asio::steady_timer watchdog_;
    std::uint64_t tick_ = 0;
    // Last, so it goes first: the transports it lets go of find the rest whole.
    websocket::ReadySet ready_set_;
};

} // namespace fc::engineio
