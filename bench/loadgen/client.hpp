// One simulated Socket.IO client, as the load generator drives it: the
// Engine.IO handshake, the Socket.IO CONNECT, events with acknowledgements,
// heartbeat answers. The transport (WebSocket or long-polling) is a
// subclass; the Socket.IO side is shared and reuses the server's codecs.
#pragma once

#include "server/websocket/ready_set.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fc::loadgen {

class Client;

// What a scenario hears from its clients. All calls come from the one
// io_context thread.
struct ClientObserver {
    virtual ~ClientObserver() = default;
    virtual void on_connected(Client& c) = 0;
    virtual void on_closed(Client& c, std::string_view why) = 0;
    // A relayed `signal`: the raw Socket.IO text ("42[\"signal\",{...}]").
    virtual void on_signal(Client& c, std::string_view text) = 0;
    // Any other server event, decoded: name and first argument.
    virtual void on_event(Client& c, std::string_view name, const boost::json::value& arg) = 0;
};

struct Endpoint {
    boost::asio::ip::tcp::endpoint server;
    std::string host_header; // "127.0.0.1:3000"
};

using AckHandler = std::function<void(const boost::json::value& arg)>;

class Client : public std::enable_shared_from_this<Client> {
public:
    Client(boost::asio::io_context& io, const Endpoint& ep, boost::asio::ip::address source,
           ClientObserver& observer, std::size_t index);
    virtual ~Client() = default;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Opens the transport and joins the default namespace; on_connected or
    // on_closed follows.
    virtual void start() = 0;
    // Closes at once (a tab that goes away); on_closed follows.
    virtual void close() = 0;

    // Emits `["name",arg]` given as JSON text without the brackets
    // ("\"signal\",{...}"), with an acknowledgement when `ack` is set.
    void emit(std::string_view event_args, AckHandler ack = {});

    std::size_t index() const { return index_; }
    bool connected() const { return connected_; }
    // Frames queued on the transport and not yet written.
    virtual std::size_t backlog() const = 0;

    // Free for the scenario: who this client is in the room.
    std::string client_id;
    std::string peer_id;
    std::size_t room = 0;

protected:
    // One Engine.IO text packet from the server (already split).
    void on_packet(std::string_view packet);
    // Queues one Engine.IO text packet for the server.
    virtual void send_packet(std::string packet) = 0;
    void closed(std::string_view why);

    boost::asio::io_context& io_;
    const Endpoint& endpoint_;
    boost::asio::ip::address source_;
    ClientObserver& observer_;

private:
    void on_socketio(std::string_view text);

    std::size_t index_;
    bool connected_ = false;
    bool closed_ = false;
    std::uint64_t next_ack_ = 0;
    std::unordered_map<std::uint64_t, AckHandler> acks_;
};

// Makes a client of the named transport: "websocket" or "polling". A
// WebSocket client waits to be read in `ready` (one per event loop).
std::shared_ptr<Client> make_client(std::string_view transport, boost::asio::io_context& io,
                                    websocket::ReadySet& ready, const Endpoint& ep,
                                    boost::asio::ip::address source, ClientObserver& observer,
                                    std::size_t index);

// Binds `socket` (opened) to `source` with a port chosen at connect time,
// so many clients share one source address without exhausting ports.
void bind_source(boost::asio::ip::tcp::socket& socket, const boost::asio::ip::address& source,
                 boost::system::error_code& ec);

} // namespace fc::loadgen
