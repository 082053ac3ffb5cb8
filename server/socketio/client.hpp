// The Socket.IO side of one Engine.IO session: decodes packets (binary
// attachments included), connects namespaces, dispatches events and acks.
#pragma once

#include "server/engineio/session.hpp"
#include "server/socketio/packet.hpp"
#include "server/socketio/socket.hpp"

#include <boost/asio/steady_timer.hpp>

#include <cstdint>

#include <memory>
#include <string>
#include <vector>

namespace fc::socketio {

class Server;

class Client final : public engineio::SessionHandler {
public:
    Client(Server& server, engineio::Session& session);
    ~Client() override;

    void on_message(std::string_view data, bool binary) override;
    void on_close(std::string_view reason) override;

    engineio::Session& session() const { return session_; }
    bool send(const engineio::FramePtr& frame);
    // Sends a packet followed by its binary attachments.
    bool send(const engineio::FramePtr& frame, std::span<const std::string> attachments);
    void disconnect(Socket& socket);

private:
    void dispatch(const Packet& packet, std::span<const std::string> attachments);
    void connect(const Packet& packet);
    Socket* find(std::string_view nsp) const;
    void remove(std::string_view nsp, std::string_view reason);
    void fail(const boost::system::error_code& ec);
    // Forgets a packet waiting for attachments and gives back their bytes.
    void drop_pending();

    Server& server_;
    engineio::Session& session_;
    std::vector<std::unique_ptr<Socket>> sockets_;
    // A BINARY_EVENT/BINARY_ACK waiting for its attachments.
    std::string pending_text_;
    std::size_t pending_count_ = 0;
    std::vector<std::string> pending_attachments_;
    std::size_t pending_bytes_ = 0; // reserved with the session
    std::uint64_t pending_generation_ = 0; // which packet the attachment timer is for
    std::unique_ptr<boost::asio::steady_timer> attachment_timer_;
    std::unique_ptr<boost::asio::steady_timer> connect_timer_;
    bool closed_ = false;
};

} // namespace fc::socketio
