// Checks for the identifiers of the rooms contract, peer id generation,
// and the salted tag under which a room may appear in logs.
#pragma once

#include <string>
#include <string_view>

namespace fc::rooms {

constexpr std::size_t kMaxRoomId = 64;
constexpr std::size_t kMinClientId = 8;
constexpr std::size_t kMaxClientId = 64;
constexpr std::size_t kMaxDisplayName = 64; // characters (code points)
// A resume token is a secret: 16 characters of base64url are 96 bits, too
// many to guess online; 128 leaves room for whatever a client generates.
constexpr std::size_t kMinResumeToken = 16;
constexpr std::size_t kMaxResumeToken = 128;

// 1..64 of [a-z0-9_-], the first one [a-z0-9].
bool valid_room_id(std::string_view id);
// 8..64 of [A-Za-z0-9_-].
bool valid_client_id(std::string_view id);
// 16..128 of [A-Za-z0-9_-].
bool valid_resume_token(std::string_view token);
// Valid UTF-8 of at most 64 code points.
bool valid_display_name(std::string_view name);

// "p_" and 16 random base64url characters: unique for the server's
// lifetime in practice, and not guessable from another peer's id.
std::string new_peer_id();

// A short keyed hash of a room id for logs: stable within one process,
// not reversible by hashing a dictionary of room names (the key is random
// per process).
std::string room_tag(std::string_view room_id);

} // namespace fc::rooms
