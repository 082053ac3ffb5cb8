// RFC 6455 framing, server side: a pull parser for what clients send
// (masked frames, fragmented messages, control frames) and the header of
// what the server sends (unmasked). Pure code, no I/O: the transport feeds
// it bytes and acts on each event. Never throws; bad input is an `error`
// event carrying the close code to fail the connection with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fc::websocket {

enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// The close codes this server sends (RFC 6455 section 7.4.1).
namespace close_code {
constexpr std::uint16_t normal = 1000;
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t no_status = 1005; // reported when a close frame has no code
constexpr std::uint16_t invalid_payload = 1007;
constexpr std::uint16_t too_big = 1009;
constexpr std::uint16_t try_again_later = 1013; // the server's memory bound was reached
} // namespace close_code

// What one call to Reader::next found.
struct Event {
    enum class Kind {
        need_more, // no complete frame yet: keep the bytes, read more
        none,      // a frame was consumed that completes nothing (a fragment)
        message,   // a whole text or binary message
        ping,
        pong,
        close,     // the peer's close frame: `code` and its reason in `payload`
        error,     // fail the connection with close code `code`
    };
    Kind kind = Kind::need_more;
    std::string_view payload;
    bool binary = false;
    std::uint16_t code = 0;
    std::size_t consumed = 0; // input bytes used by this event
    // For need_more: the bytes the frame at the start of the input spans,
    // as far as they are known yet (its first 2, its whole header, or the
    // whole frame); more than the input held.
    std::size_t wanted = 0;
    const char* what = "";    // for error: a short reason, for the log
};

// Which end reads: a server requires masked frames (RFC 6455 5.1), a
// client requires unmasked ones (the load generator reads as a client).
enum class Role { server, client };

class Reader {
public:
    // `max_message`: the largest message (all fragments together) accepted;
    // a larger one is an error with close code 1009.
    explicit Reader(std::size_t max_message, Role role = Role::server)
        : max_message_(max_message), role_(role) {}

    // Parses the next frame at the start of data[0, size). Payloads are
    // unmasked in place; an event's payload views `data` or, for a
    // fragmented message, the reader's own buffer, valid until the next
    // call. A frame is only consumed whole: after need_more the caller
    // keeps the bytes and calls again with them and more (at least up to
    // the event's `wanted`).
    Event next(char* data, std::size_t size);

    // A fragmented message is being put together.
    bool in_fragmented_message() const { return fragmented_; }
    // Bytes held for a fragmented message in progress.
    std::size_t buffered() const { return fragments_.size(); }

    // Releases the memory of a fragmented message in progress.
    void reset();

private:
    std::size_t max_message_;
    Role role_;
    bool fragmented_ = false;
    bool fragments_binary_ = false;
    std::string fragments_;
};

// The header of one unmasked, unfragmented server frame with a payload of
// `length` bytes: writes 2, 4 or 10 bytes to `out` and returns the count.
constexpr std::size_t kMaxHeaderSize = 10;
std::size_t encode_header(Opcode op, std::uint64_t length, unsigned char* out);

// The header of one masked, unfragmented client frame; the payload that
// follows must be masked with `key` (see mask()). Up to 14 bytes.
constexpr std::size_t kMaxClientHeaderSize = 14;
std::size_t encode_client_header(Opcode op, std::uint64_t length, const unsigned char key[4],
                                 unsigned char* out);

// XORs data with the masking key, as client frames carry their payload.
void mask(char* data, std::size_t size, const unsigned char key[4]);

// Appends one whole unmasked, unfragmented server frame (header and
// payload) to `out`.
void append_frame(std::string& out, Opcode op, std::string_view payload);

// A whole close frame's bytes (header included) with a code and no reason.
std::string close_frame(std::uint16_t code);

} // namespace fc::websocket
