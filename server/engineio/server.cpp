#include "server/engineio/server.hpp"

#include "server/engineio/polling_transport.hpp"
#include "server/engineio/query.hpp"
#include "server/engineio/session_id.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <stdexcept>
#include <vector>

namespace fc::engineio {

namespace http = boost::beast::http;

Server::Server(boost::asio::any_io_executor executor, Settings settings,
               ConnectionHandler on_connection)
    : executor_(std::move(executor)), settings_(settings),
      on_connection_(std::move(on_connection)), budget_(settings.memory_budget),
      watchdog_(executor_), ready_set_(executor_) {
    if (!settings_.node_tag.empty() && !valid_node_tag(settings_.node_tag))
        throw std::invalid_argument("node tag must be 8 characters of A-Z a-z 0-9 _ -");
    arm_watchdog();
}

Server::~Server() = default;

namespace {
constexpr auto kTick = std::chrono::seconds(1);
} // namespace

void Server::arm_watchdog() {
    watchdog_.expires_after(kTick);
    watchdog_.async_wait([this](boost::system::error_code ec) {
        if (!ec) // checked first: after ~Server only the error arrives
            on_watchdog();
    });
}

void Server::on_watchdog() {
    ++tick_;
    // Rounded up, so a write is never cut before its full timeout.
    const auto timeout = static_cast<std::uint64_t>(
        (settings_.write_timeout + kTick - std::chrono::milliseconds(1)) / kTick);
    // A session cut here only marks itself; the map is changed on a later
    // turn (on_session_closed), so iterating it is safe.
    for (const auto& [id, s] : sessions_)
        s->check_deadlines(tick_, timeout);
    arm_watchdog();
}

std::size_t Server::session_count(TransportKind kind) const {
    std::size_t n = 0;
    for (const auto& [id, s] : sessions_)
        n += s->transport() == kind ? 1 : 0;
    return n;
}

std::string Server::open_packet(const std::string& sid, bool upgrades) const {
    // Exactly these five keys, in this order: the protocol suites check them.
    boost::json::object o;
    o["sid"] = sid;
    boost::json::array u;
    if (upgrades)
        u.emplace_back("websocket");
    o["upgrades"] = std::move(u);
    o["pingInterval"] = settings_.ping_interval.count();
    o["pingTimeout"] = settings_.ping_timeout.count();
    o["maxPayload"] = settings_.max_payload;
    // Built by appending: g++ 12 at -O3 warns (-Wrestrict, a known false
    // positive) on `"0" + std::string`.
    std::string packet(1, static_cast<char>(PacketType::open));
    packet += boost::json::serialize(o);
    return packet;
}

std::shared_ptr<Session> Server::open_session(const std::string& remote_address) {
    auto id = new_session_id(settings_.node_tag);
    auto session = std::make_shared<Session>(*this, id, remote_address);
    sessions_.emplace(std::move(id), session);
    ++stats_.handshakes;
    on_connection_(*session);
    return session;
}

void Server::reject(const PollExchangePtr& exchange, RequestError e) {
    ++stats_.bad_requests;
    exchange->respond(400, "application/json", error_body(e));
}

void Server::handle_polling(http::verb method, std::string_view query, std::string_view body,
                            const std::string& remote_address, const PollExchangePtr& exchange) {
    auto q = parse_query(query);
    if (!q)
        return reject(exchange, RequestError::bad_request);
    if (auto e = check_query(*q))
        return reject(exchange, *e);
    if (q->transport != "polling")
        return reject(exchange, RequestError::bad_request);

    if (!q->has_sid) {
        if (method != http::verb::get)
            return reject(exchange, RequestError::bad_handshake_method);
        auto session = open_session(remote_address);
        exchange->respond(200, "text/plain; charset=UTF-8",
                          open_packet(session->id(), settings_.allow_upgrades));
        session->start(std::make_shared<PollingTransport>(*session, *this));
        return;
    }

    auto it = sessions_.find(q->sid);
    if (it == sessions_.end() || it->second->closed())
        return reject(exchange, RequestError::session_id_unknown);
    // Keep the session and its transport alive through the call even if
    // the session closes inside.
    std::shared_ptr<Session> session = it->second;
    auto polling = session->polling();
    if (!polling)
        return reject(exchange, RequestError::bad_request);
    stats_.bytes_in += body.size();
    if (method == http::verb::get)
        polling->on_poll(exchange);
    else if (method == http::verb::post)
        polling->on_post(body, exchange);
    else
        reject(exchange, RequestError::bad_request);
}

bool Server::has_session(std::string_view sid) const {
    auto it = sessions_.find(std::string(sid));
    return it != sessions_.end() && !it->second->closed();
}

std::optional<RequestError> Server::check_websocket(std::string_view query) const {
    auto q = parse_query(query);
    if (!q)
        return RequestError::bad_request;
    if (auto e = check_query(*q))
        return e;
    if (q->transport != "websocket")
        return RequestError::bad_request;
    if (!q->has_sid)
        return std::nullopt;
    auto it = sessions_.find(q->sid);
    if (it == sessions_.end() || it->second->closed())
        return RequestError::session_id_unknown;
    // A session that already upgraded (or is upgrading) is refused after the
    // WebSocket handshake, by closing the socket, as the reference does.
    return std::nullopt;
}

std::shared_ptr<Session> Server::attach_websocket(std::string_view query,
                                                  const std::string& remote_address,
                                                  const TransportPtr& transport) {
    // Checked again: the session may have changed while the handshake ran.
    if (check_websocket(query))
        return nullptr;
    // (begin_upgrade refuses sessions that upgraded or are upgrading.)
    auto q = parse_query(query);
    if (!q->has_sid) {
        auto session = open_session(remote_address);
        session->start(transport, open_packet(session->id(), false));
        return session;
    }
    auto session = sessions_.at(q->sid);
    if (!session->begin_upgrade(transport))
        return nullptr;
    ++stats_.upgrades;
    return session;
}

void Server::close_all(std::string_view reason) {
    std::vector<std::shared_ptr<Session>> all;
    all.reserve(sessions_.size());
    for (const auto& [id, s] : sessions_)
        all.push_back(s);
    for (const auto& s : all)
        s->close(reason, true);
}

void Server::on_session_closed(const std::string& id) {
    // Erased on a later turn of the loop: the session may be on the stack.
    boost::asio::post(executor_, [this, id] { sessions_.erase(id); });
}

} // namespace fc::engineio
