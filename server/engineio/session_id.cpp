#include "server/engineio/session_id.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace fc::engineio {

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool base64url(std::string_view s) {
    return s.find_first_not_of(kAlphabet) == std::string_view::npos;
}
} // namespace

bool valid_node_tag(std::string_view tag) {
    return tag.size() == kNodeTagLength && base64url(tag);
}

std::string new_session_id(std::string_view node_tag) {
    std::string id(node_tag);
    id += random_id();
    return id;
}

std::string_view node_tag_of(std::string_view sid, std::size_t tag_len) {
    if (tag_len == 0 || sid.size() != tag_len + kSessionIdRandomLength || !base64url(sid))
        return {};
    return sid.substr(0, tag_len);
}

std::string random_id(std::size_t bytes) {
    std::array<unsigned char, 64> raw{};
    if (bytes > raw.size() || RAND_bytes(raw.data(), static_cast<int>(bytes)) != 1)
        throw std::runtime_error("RAND_bytes failed"); // a broken CSPRNG is a startup-class failure
    std::string out;
    out.reserve((bytes * 8 + 5) / 6);
    unsigned acc = 0;
    int bits = 0;
    for (std::size_t i = 0; i < bytes; ++i) {
        acc = (acc << 8) | raw[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(kAlphabet[(acc >> bits) & 63]);
        }
    }
    if (bits > 0)
        out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
    return out;
}

} // namespace fc::engineio
