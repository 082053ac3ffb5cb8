#include "server/rooms/resume_token.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace fc::rooms {

TokenDigest digest_token(std::string_view token) {
    TokenDigest d{};
    SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), d.data());
    return d;
}

bool same_digest(const TokenDigest& a, const TokenDigest& b) {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace fc::rooms
