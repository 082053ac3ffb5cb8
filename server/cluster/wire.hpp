// What nodes of a cluster tell each other through Redis pub/sub, one
// message per PUBLISH to a node's channel: room changes (published by the
// Lua scripts in scripts.cpp, so every node sees them in the order Redis
// ran them), relayed signals, and the roster questions a node asks when it
// starts mirroring a room. Netstrings after a kind byte, because a Lua
// script can build them with string concatenation and they carry binary
// attachments as they are. Another node's bug must not crash this one:
// decode() checks everything and says what was wrong.
#pragma once

#include "server/rooms/room_directory.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace fc::cluster {

// A member as the room's Redis hash records it, plus (in J and I only) its
// display name, which Redis never stores.
struct WireMember {
    std::string peer_id;
    std::string client_id;
    std::string display_name;
    std::string node;       // the node it is connected to
    std::uint64_t conn = 0; // its connection there
    std::int64_t joined_ms = 0;
    std::string token; // hex SHA-256 of its resume token, or empty
};

// Room changes carry the room's version after the change (fc:v:<rid>):
// a node applies them in version order.
struct JoinedMsg {
    std::string rid;
    std::uint64_t version = 0;
    WireMember who;
};
struct LeftMsg {
    std::string rid;
    std::uint64_t version = 0;
    std::string peer_id;
    rooms::LeaveReason reason = rooms::LeaveReason::left;
};
// To the node of a member whose clientId joined again elsewhere.
struct ReplacedMsg {
    std::string rid;
    std::uint64_t version = 0;
    std::uint64_t conn = 0;
    std::string peer_id;
};
// A relayed signal for one connection of the receiving node: the event
// array exactly as its Socket.IO packet carries it, and its attachments.
struct SignalMsg {
    std::uint64_t conn = 0;
    std::string peer_id; // the target's, checked against the connection
    std::string event_json;
    std::vector<std::string> attachments;
};
// "Who of yours is in this room?", answered with an IntroMsg.
struct QueryMsg {
    std::string rid;
    std::string reply_to; // node
    std::uint64_t request = 0;
};
struct IntroMsg {
    std::string rid;
    std::uint64_t request = 0;
    std::vector<WireMember> members; // peer_id and display_name only
};

using Message = std::variant<JoinedMsg, LeftMsg, ReplacedMsg, SignalMsg, QueryMsg, IntroMsg>;

enum class DecodeError { empty, unknown_kind, bad_field, bad_reason, too_many, trailing };
std::string_view to_string(DecodeError e);

constexpr std::size_t kMaxAttachments = 64;
constexpr std::size_t kMaxIntroMembers = 4096;

std::string encode(const Message& m);
boost::system::result<Message, DecodeError> decode(std::string_view bytes);

// Parts of the encoding the scripts and the hot path share.
void append_field(std::string& out, std::string_view field);
std::string encode_signal(std::uint64_t conn, std::string_view peer_id, std::string_view event_json,
                          std::span<const std::string> attachments);

} // namespace fc::cluster
