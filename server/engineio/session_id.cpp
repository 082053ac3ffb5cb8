#include "server/engineio/session_id.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace fc::engineio {

std::string random_id(std::size_t bytes) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
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
