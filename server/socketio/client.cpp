#include "server/socketio/client.hpp"

#include "server/engineio/session_id.hpp"
#include "server/socketio/namespace_handler.hpp"
#include "server/socketio/server.hpp"

#include <algorithm>

namespace fc::socketio {

Client::Client(Server& server, engineio::Session& session) : server_(server), session_(session) {
    connect_timer_ = std::make_unique<boost::asio::steady_timer>(session.executor(),
                                                                 server.settings().connect_timeout);
    // The weak pointer proves the client is alive: the session owns it.
    connect_timer_->async_wait(
        [this, weak = session.weak_from_this()](boost::system::error_code ec) {
            if (auto s = weak.lock(); s && !ec && sockets_.empty())
                s->close("connect timeout");
        });
}

Client::~Client() = default;

bool Client::send(const engineio::FramePtr& frame) {
    return session_.send(frame);
}

bool Client::send(const engineio::FramePtr& frame, std::span<const std::string> attachments) {
    if (!session_.send(frame))
        return false;
    for (const auto& a : attachments)
        if (!session_.send(engineio::make_binary_frame(a)))
            return false;
    return true;
}

void Client::fail(const boost::system::error_code&) {
    ++server_.stats().decode_errors;
    drop_pending();
    session_.close("parse error");
}

void Client::drop_pending() {
    attachment_timer_.reset();
    std::string().swap(pending_text_);
    std::vector<std::string>().swap(pending_attachments_);
    pending_count_ = 0;
    session_.release(pending_bytes_);
    pending_bytes_ = 0;
}

void Client::on_message(std::string_view data, bool binary) {
    if (closed_)
        return;
    if (binary) {
        if (pending_count_ == 0)
            return fail(DecodeError::unexpected_binary);
        if (pending_bytes_ + data.size() > server_.settings().max_attachment_bytes)
            return fail(DecodeError::bad_payload);
        if (!session_.reserve(data.size()))
            return drop_pending(); // over the client's bound: the session is closing
        pending_bytes_ += data.size();
        pending_attachments_.emplace_back(data);
        if (pending_attachments_.size() < pending_count_)
            return;
        // Complete: decode again from our copy (the first decode succeeded).
        const std::string text = std::move(pending_text_);
        std::vector<std::string> attachments = std::move(pending_attachments_);
        drop_pending();
        auto packet = decode(text, JsonTree::skip);
        if (!packet)
            return fail(packet.error());
        return dispatch(*packet, attachments);
    }
    if (pending_count_ != 0)
        return fail(DecodeError::unexpected_text);
    auto packet = decode(data, JsonTree::skip);
    if (!packet)
        return fail(packet.error());
    if (packet->attachments > 0) {
        if (!session_.reserve(data.size()))
            return;
        pending_bytes_ = data.size();
        pending_text_.assign(data);
        pending_count_ = packet->attachments;
        pending_attachments_.reserve(pending_count_);
        // The rest must follow in time: a client that announces
        // attachments and never sends the last one is closed.
        attachment_timer_ = std::make_unique<boost::asio::steady_timer>(
            session_.executor(), server_.settings().attachment_timeout);
        attachment_timer_->async_wait(
            [this, weak = session_.weak_from_this(),
             gen = ++pending_generation_](boost::system::error_code ec) {
                // A completion already queued when the packet completed (and
                // another began) belongs to a packet that is gone: ignore it.
                if (auto s = weak.lock(); s && !ec && gen == pending_generation_) {
                    ++server_.stats().attachment_timeouts;
                    drop_pending(); // destroys this timer: nothing after it
                    s->close("attachment timeout");
                }
            });
        return;
    }
    dispatch(*packet, {});
}

void Client::dispatch(const Packet& packet, std::span<const std::string> attachments) {
    Socket* socket = find(packet.nsp);
    switch (packet.type) {
    case PacketType::connect:
        if (!socket)
            connect(packet);
        return;
    case PacketType::disconnect:
        if (socket)
            remove(packet.nsp, "client namespace disconnect");
        return;
    case PacketType::event:
    case PacketType::binary_event: {
        if (!socket)
            return; // not connected to that namespace: ignored, as the reference does
        const Event event{packet.name, packet.data, packet.id, attachments,
                          packet.arg.known ? &packet.arg : nullptr};
        if (auto* handler = server_.find_namespace(socket->nsp()))
            handler->on_event(*socket, event);
        return;
    }
    case PacketType::ack:
    case PacketType::binary_ack:
        return; // the server never asks clients for acks
    case PacketType::connect_error:
        return fail(DecodeError::bad_payload);
    }
}

void Client::connect(const Packet& packet) {
    NamespaceHandler* handler = server_.find_namespace(packet.nsp);
    if (!handler) {
        ++server_.stats().refused_namespaces;
        send(encode(PacketType::connect_error, packet.nsp, R"({"message":"Invalid namespace"})"));
        return;
    }
    connect_timer_.reset();
    auto socket = std::make_unique<Socket>(*this, std::string(packet.nsp), engineio::random_id(),
                                           server_.next_serial());
    Socket& s = *socket;
    sockets_.push_back(std::move(socket));
    ++server_.stats().connects;
    ++server_.stats().connected;
    send(encode(PacketType::connect, s.nsp(), R"({"sid":")" + s.id() + R"("})"));
    handler->on_connect(s, packet.data);
}

Socket* Client::find(std::string_view nsp) const {
    for (const auto& s : sockets_)
        if (s->nsp() == nsp)
            return s.get();
    return nullptr;
}

void Client::remove(std::string_view nsp, std::string_view reason) {
    auto it = std::find_if(sockets_.begin(), sockets_.end(),
                           [&](const auto& s) { return s->nsp() == nsp; });
    if (it == sockets_.end())
        return;
    std::unique_ptr<Socket> socket = std::move(*it);
    sockets_.erase(it);
    --server_.stats().connected;
    if (auto* handler = server_.find_namespace(socket->nsp()))
        handler->on_disconnect(*socket, reason);
}

void Client::disconnect(Socket& socket) {
    const std::string nsp = socket.nsp();
    send(encode(PacketType::disconnect, nsp, {}));
    remove(nsp, "server namespace disconnect");
}

void Client::on_close(std::string_view reason) {
    if (closed_)
        return;
    closed_ = true;
    connect_timer_.reset();
    drop_pending();
    while (!sockets_.empty())
        remove(sockets_.back()->nsp(), reason);
}

} // namespace fc::socketio
