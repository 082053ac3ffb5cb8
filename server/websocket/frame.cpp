#include "server/websocket/frame.hpp"

#include "server/base/byte_scan.hpp"
#include "server/websocket/utf8.hpp"

#include <cstring>

namespace fc::websocket {

namespace {

constexpr std::size_t kMaxControlPayload = 125;

bool is_control(std::uint8_t op) {
    return op & 0x8;
}

bool known_opcode(std::uint8_t op) {
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

// Codes a peer may put in a close frame (RFC 6455 7.4 and the IANA
// registry): 1004-1006 and 1015 are reserved for reporting, never sent.
bool valid_close_code(std::uint16_t code) {
    if (code >= 3000 && code <= 4999)
        return true;
    return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

} // namespace

void mask(char* data, std::size_t size, const unsigned char key[4]) {
    base::xor_repeating(data, size, key);
}

namespace {

Event need(std::size_t wanted) {
    Event e;
    e.wanted = wanted;
    return e;
}

Event fail(std::uint16_t code, const char* what) {
    Event e;
    e.kind = Event::Kind::error;
    e.code = code;
    e.what = what;
    return e;
}

} // namespace

Event Reader::next(char* data, std::size_t size) {
    if (!fragmented_ && fragments_.capacity() > 0)
        std::string().swap(fragments_); // the last message was delivered
    const auto* b = reinterpret_cast<const unsigned char*>(data);
    if (size < 2)
        return need(2);
    const bool fin = b[0] & 0x80;
    const std::uint8_t op = b[0] & 0x0F;
    if (b[0] & 0x70)
        return fail(close_code::protocol_error, "reserved bits set");
    if (!known_opcode(op))
        return fail(close_code::protocol_error, "unknown opcode");
    const bool masked = b[1] & 0x80;
    if (masked != (role_ == Role::server))
        return fail(close_code::protocol_error,
                    masked ? "masked server frame" : "unmasked client frame");

    std::uint64_t length = b[1] & 0x7F;
    std::size_t header = 2;
    if (length == 126) {
        if (size < 4)
            return need(4);
        length = (std::uint64_t{b[2]} << 8) | b[3];
        header = 4;
        if (length < 126)
            return fail(close_code::protocol_error, "length not minimally encoded");
    } else if (length == 127) {
        if (size < 10)
            return need(10);
        length = 0;
        for (int i = 2; i < 10; ++i)
            length = (length << 8) | b[i];
        header = 10;
        if (length >> 63)
            return fail(close_code::protocol_error, "length out of range");
        if (length <= 0xFFFF)
            return fail(close_code::protocol_error, "length not minimally encoded");
    }

    if (is_control(op)) {
        if (!fin)
            return fail(close_code::protocol_error, "fragmented control frame");
        if (length > kMaxControlPayload)
            return fail(close_code::protocol_error, "control frame too long");
    } else if (op == static_cast<std::uint8_t>(Opcode::continuation)) {
        if (!fragmented_)
            return fail(close_code::protocol_error, "continuation without a message");
    } else if (fragmented_) {
        return fail(close_code::protocol_error, "new message inside a fragmented one");
    }
    if (!is_control(op)) {
        const std::uint64_t before = fragmented_ ? fragments_.size() : 0;
        if (length > max_message_ || before + length > max_message_)
            return fail(close_code::too_big, "message too big");
    }

    unsigned char key[4];
    if (masked) {
        if (size < header + 4)
            return need(header + 4);
        std::memcpy(key, b + header, 4);
        header += 4;
    }
    if (size - header < length)
        return need(header + static_cast<std::size_t>(length));

    char* payload = data + header;
    const auto n = static_cast<std::size_t>(length);
    if (masked)
        mask(payload, n, key);

    Event e;
    e.consumed = header + n;
    e.payload = std::string_view(payload, n);

    switch (static_cast<Opcode>(op)) {
    case Opcode::ping:
        e.kind = Event::Kind::ping;
        return e;
    case Opcode::pong:
        e.kind = Event::Kind::pong;
        return e;
    case Opcode::close: {
        e.kind = Event::Kind::close;
        e.code = close_code::no_status;
        if (n == 1)
            return fail(close_code::protocol_error, "close payload of one byte");
        if (n >= 2) {
            e.code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                                static_cast<unsigned char>(payload[1]));
            e.payload = e.payload.substr(2);
            if (!valid_close_code(e.code))
                return fail(close_code::protocol_error, "invalid close code");
            if (!valid_utf8(e.payload))
                return fail(close_code::invalid_payload, "close reason not UTF-8");
        }
        return e;
    }
    case Opcode::text:
    case Opcode::binary:
        if (!fin) {
            fragmented_ = true;
            fragments_binary_ = op == static_cast<std::uint8_t>(Opcode::binary);
            fragments_.assign(payload, n);
            e.kind = Event::Kind::none;
            e.payload = {};
            return e;
        }
        e.binary = op == static_cast<std::uint8_t>(Opcode::binary);
        break;
    case Opcode::continuation:
        fragments_.append(payload, n);
        if (!fin) {
            e.kind = Event::Kind::none;
            e.payload = {};
            return e;
        }
        fragmented_ = false;
        e.binary = fragments_binary_;
        e.payload = fragments_;
        break;
    }
    if (!e.binary && !valid_utf8(e.payload))
        return fail(close_code::invalid_payload, "text message not UTF-8");
    e.kind = Event::Kind::message;
    return e;
}

void Reader::reset() {
    fragmented_ = false;
    std::string().swap(fragments_);
}

std::size_t encode_header(Opcode op, std::uint64_t length, unsigned char* out) {
    out[0] = static_cast<unsigned char>(0x80 | static_cast<std::uint8_t>(op));
    if (length < 126) {
        out[1] = static_cast<unsigned char>(length);
        return 2;
    }
    if (length <= 0xFFFF) {
        out[1] = 126;
        out[2] = static_cast<unsigned char>(length >> 8);
        out[3] = static_cast<unsigned char>(length);
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; ++i)
        out[2 + i] = static_cast<unsigned char>(length >> (56 - 8 * i));
    return 10;
}

std::size_t encode_client_header(Opcode op, std::uint64_t length, const unsigned char key[4],
                                 unsigned char* out) {
    const std::size_t h = encode_header(op, length, out);
    out[1] |= 0x80;
    std::memcpy(out + h, key, 4);
    return h + 4;
}

void append_frame(std::string& out, Opcode op, std::string_view payload) {
    unsigned char head[kMaxHeaderSize];
    out.append(reinterpret_cast<const char*>(head), encode_header(op, payload.size(), head));
    out.append(payload);
}

std::string close_frame(std::uint16_t code) {
    const char payload[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
    std::string out;
    append_frame(out, Opcode::close, std::string_view(payload, 2));
    return out;
}

} // namespace fc::websocket
