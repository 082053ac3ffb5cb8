// Engine.IO v4 packet codec: single packets (one WebSocket frame) and
// polling payloads (packets joined by 0x1e, binary as "b" + base64).
// Pure functions, no I/O; decoders return a Result and never throw.
#pragma once

#include "server/engineio/errors.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fc::engineio {

enum class PacketType : char {
    open = '0',
    close = '1',
    ping = '2',
    pong = '3',
    message = '4',
    upgrade = '5',
    noop = '6',
};

constexpr char kRecordSeparator = '\x1e';

// A decoded packet. For text packets `data` views the input; binary
// packets from a polling payload own their decoded bytes in `storage`.
struct Packet {
    PacketType type = PacketType::noop;
    std::string_view data;
    bool binary = false;
    std::string storage;
};

// One text packet: a type digit and its data ("4hello", "2probe").
Result<Packet> decode_text_packet(std::string_view text);

// A polling request body. Binary segments are decoded from base64.
// `max_packets` bounds the work one request can cause.
Result<std::vector<Packet>> decode_payload(std::string_view body, size_t max_packets = 4096);

// An encoded outgoing packet: for text, the whole Engine.IO text ("42[..]");
// for binary, the raw bytes. Immutable once built, so one frame can be
// queued for many sessions (broadcast encodes once).
struct Frame {
    std::string bytes;
    bool binary = false;
};
using FramePtr = std::shared_ptr<const Frame>;

FramePtr make_text_frame(PacketType type, std::string_view data = {});
FramePtr make_binary_frame(std::string bytes);

// Appends one frame to a polling response body, with the separator when
// the body is not empty.
void append_to_payload(std::string& body, const Frame& frame);

} // namespace fc::engineio
