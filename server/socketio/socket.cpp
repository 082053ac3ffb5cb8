#include "server/socketio/socket.hpp"

#include "server/engineio/session.hpp"
#include "server/socketio/client.hpp"

namespace fc::socketio {

Socket::Socket(Client& client, std::string nsp, std::string id, std::uint64_t serial)
    : client_(client), nsp_(std::move(nsp)), id_(std::move(id)), serial_(serial) {}

engineio::Session& Socket::session() const {
    return client_.session();
}

const std::string& Socket::remote_address() const {
    return client_.session().remote_address();
}

bool Socket::emit(std::string_view array_json, std::span<const std::string> attachments) {
    return emit_pieces(std::span<const std::string_view>(&array_json, 1), attachments);
}

bool Socket::emit_pieces(std::span<const std::string_view> array_json_pieces,
                         std::span<const std::string> attachments) {
    const auto type = attachments.empty() ? PacketType::event : PacketType::binary_event;
    return client_.send(
        encode_pieces(type, nsp_, array_json_pieces, std::nullopt, attachments.size()),
        attachments);
}

bool Socket::send(const engineio::FramePtr& frame) {
    return client_.send(frame);
}

void Socket::ack(std::uint64_t id, std::string_view array_json,
                 std::span<const std::string> attachments) {
    const auto type = attachments.empty() ? PacketType::ack : PacketType::binary_ack;
    client_.send(encode(type, nsp_, array_json, id, attachments.size()), attachments);
}

void Socket::disconnect() {
    client_.disconnect(*this);
}

} // namespace fc::socketio
