// Socket.IO v5 packet codec: <type>[<attachments>-][<nsp>,][<id>][<json>].
// Pure functions, no I/O. Decoders never throw; the encoder writes the
// Engine.IO message prefix too, so one buffer goes straight to the wire.
#pragma once

#include "server/engineio/packet.hpp"
#include "server/socketio/errors.hpp"
#include "server/socketio/json_shape.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace fc::socketio {

enum class PacketType : char {
    connect = '0',
    disconnect = '1',
    event = '2',
    ack = '3',
    connect_error = '4',
    binary_event = '5',
    binary_ack = '6',
};

// Bounds the attachments one packet may announce (the reference server has
// none, but maxPayload bounds it there; ours is explicit).
constexpr std::size_t kMaxAttachments = 64;

// A decoded packet; the string views view the input text.
struct Packet {
    PacketType type = PacketType::event;
    std::string_view nsp = "/";
    std::optional<std::uint64_t> id;
    std::size_t attachments = 0;
    std::string_view data;   // raw JSON, empty when absent
    std::string name;        // EVENT: element 0 decoded when a string, else empty
    ArgMembers arg;          // EVENT: element 1's members, when the scan noted them
    boost::json::value json; // parsed data: see JsonTree (null when absent)
};

// Whether decode builds Packet::json. The JSON is validated either way, in
// one pass that builds no tree (json_shape.hpp). The server reads events
// as raw text and asks for `skip`; binary packets get their tree anyway
// (the placeholder checks walk it).
enum class JsonTree { build, skip };

// Decodes and validates a packet: header syntax, JSON, and the payload
// shape the type requires (CONNECT: object or none; EVENT: array starting
// with a name; ACK: array; DISCONNECT: none). Binary placeholders must
// refer to one of the announced attachments.
Result<Packet> decode(std::string_view text, JsonTree tree = JsonTree::build);

bool is_binary(PacketType t);

// Encodes a packet as an Engine.IO message frame ("4" + Socket.IO text).
// `data` is raw JSON text, inserted as is (relayed payloads are never
// re-serialised).
engineio::FramePtr encode(PacketType type, std::string_view nsp, std::string_view data,
                          std::optional<std::uint64_t> id = std::nullopt,
                          std::size_t attachments = 0);
// The same with `data` given in pieces, written one after the other: a
// relayed signal is assembled straight into its frame, not first into a
// string of its own.
engineio::FramePtr encode_pieces(PacketType type, std::string_view nsp,
                                 std::span<const std::string_view> data_pieces,
                                 std::optional<std::uint64_t> id = std::nullopt,
                                 std::size_t attachments = 0);

} // namespace fc::socketio
