// The rooms contract on the wire: decoding join-room / signal arguments and
// encoding peer-joined, peer-left, signal and the acknowledgements.
#pragma once

#include "server/rooms/errors.hpp"
#include "server/rooms/registry.hpp"
#include "server/socketio/json_shape.hpp"

#include <boost/json/array.hpp>
#include <boost/system/result.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace fc::signaling {

template <class T> using Result = boost::system::result<T, rooms::Error>;

constexpr std::size_t kMaxSignalBytes = 64 * 1024;
constexpr std::size_t kMaxSignalType = 32;

// join-room's argument object, checked field by field as the contract says.
// `args` is the whole event array, parsed (joins are rare enough for a DOM).
Result<rooms::JoinRequest> parse_join(const boost::json::array& args);

// signal's argument object, read from the raw text without a DOM (signals
// are the hot path): type and payload keep the sender's bytes.
struct SignalRequest {
    std::string_view to_text;                // `to` between its quotes, as sent
    std::optional<std::string> to_unescaped; // `to` decoded, when it has escapes
    std::string_view type_raw;               // JSON string text, quotes included
    std::string_view payload_raw;            // JSON text; "null" when absent

    // The target's peer id.
    std::string_view to() const { return to_unescaped ? *to_unescaped : to_text; }
};
// `raw` is the event's whole JSON array text, already validated
// (socketio::decode). A repeated `to`, `type` or `payload`, and escaped
// keys, are refused as ambiguous: JSON parsers disagree on which of two
// equal keys counts, so no reading of ours can be assumed to be the
// sender's, the receiver's or a proxy's. `members`, when given, are the
// argument object's members as decode's validating pass noted them (views
// of `raw`): then the text is not read again.
Result<SignalRequest> parse_signal(std::string_view raw,
                                   const socketio::ArgMembers* members = nullptr);

std::string encode_peer_joined(const rooms::Member& m);
std::string encode_peer_left(std::string_view peer_id, rooms::LeaveReason reason);
std::string encode_signal(std::string_view from, const SignalRequest& s);
// encode_signal's text in pieces, joined by whoever writes them out (the
// outgoing frame, socketio::Socket::emit_pieces): the hot path copies the
// payload once. The pieces view `from`, `s` and static text.
using SignalPieces = std::array<std::string_view, 7>;
SignalPieces signal_pieces(std::string_view from, const SignalRequest& s);
std::string encode_join_ack(const rooms::Joined& joined, const boost::json::array& ice_servers);
std::string encode_ok_ack();
std::string encode_error_ack(rooms::Error e);

} // namespace fc::signaling
