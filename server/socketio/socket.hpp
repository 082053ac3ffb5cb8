// A Socket.IO socket: one client connected to one namespace. What
// namespace handlers use to answer and emit.
#pragma once

#include "server/engineio/packet.hpp"
#include "server/socketio/packet.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fc::engineio {
class Session;
}

namespace fc::socketio {

class Client;

// An EVENT (or BINARY_EVENT) as the namespace handler sees it.
// The arguments are raw JSON text, validated (socketio::decode): handlers
// read what they need from it, and parse it only where that is cheap enough.
struct Event {
    std::string_view name; // args[0] decoded when a string, else empty
    std::string_view raw;  // the JSON array text, as received: [name, args...]
    std::optional<std::uint64_t> ack_id;
    std::span<const std::string> attachments;
    // args[1]'s members as the validating pass found them (views of `raw`),
    // or null: then a handler that wants them reads `raw` itself.
    const ArgMembers* arg = nullptr;
};

class Socket {
public:
    Socket(Client& client, std::string nsp, std::string id, std::uint64_t serial);
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    const std::string& id() const { return id_; }
    const std::string& nsp() const { return nsp_; }
    // Unique for the server's lifetime, cheap to hash: how other layers
    // (rooms) refer to a socket.
    std::uint64_t serial() const { return serial_; }
    engineio::Session& session() const;
    // The client's address (for per-IP limits), as the HTTP layer saw it.
    const std::string& remote_address() const;

    // Emits an event; `array_json` is the whole argument array including
    // the event name, e.g. ["peer-left",{...}].
    bool emit(std::string_view array_json, std::span<const std::string> attachments = {});
    // The same with the array text in pieces, written one after the other
    // into the frame (socketio::encode): no joined copy is made first.
    bool emit_pieces(std::span<const std::string_view> array_json_pieces,
                     std::span<const std::string> attachments = {});
    // Sends an already encoded frame (one encoding shared by many sockets).
    bool send(const engineio::FramePtr& frame);
    void ack(std::uint64_t id, std::string_view array_json,
             std::span<const std::string> attachments = {});
    // Server-side disconnect of this namespace (DISCONNECT, then the
    // handler's on_disconnect with "server namespace disconnect").
    void disconnect();

private:
    Client& client_;
    std::string nsp_;
    std::string id_;
    std::uint64_t serial_;
};

} // namespace fc::socketio
