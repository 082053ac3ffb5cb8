// What the registry keeps of a member's resume token: its SHA-256 digest,
// never the token, so a memory dump or a shared (Redis) registry does not
// hand out identities; and the constant-time comparison of two digests.
#pragma once

#include <array>
#include <string_view>

namespace fc::rooms {

using TokenDigest = std::array<unsigned char, 32>;

TokenDigest digest_token(std::string_view token);

// Constant time (CRYPTO_memcmp): how much of a guess matched must not show
// in how long the refusal took.
bool same_digest(const TokenDigest& a, const TokenDigest& b);

} // namespace fc::rooms
