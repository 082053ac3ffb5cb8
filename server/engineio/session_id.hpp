// Session ids: 16 bytes from OpenSSL's CSPRNG as base64url (22 characters),
// so a sid cannot be guessed to hijack someone's polling session. In a
// cluster each sid starts with the tag of the node that owns the session,
// so any node can tell where a request for it belongs.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace fc::engineio {

// A node tag is exactly this many characters of [A-Za-z0-9_-]: fixed, so
// the tag of a sid is read without a separator the random part could hold.
inline constexpr std::size_t kNodeTagLength = 8;
// The random part of a sid: base64url of 16 bytes.
inline constexpr std::size_t kSessionIdRandomLength = 22;

std::string random_id(std::size_t bytes = 16);

// Whether `tag` can be a node tag (kNodeTagLength of [A-Za-z0-9_-]).
bool valid_node_tag(std::string_view tag);

// A new sid: `node_tag` (empty on a single node) then the random part.
std::string new_session_id(std::string_view node_tag);

// The node tag a sid starts with, or empty when the sid cannot have been
// made by a node with tags `tag_len` long (wrong length, a character
// outside base64url). Never reads past the sid, whatever it holds.
std::string_view node_tag_of(std::string_view sid, std::size_t tag_len = kNodeTagLength);

} // namespace fc::engineio
