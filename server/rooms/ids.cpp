#include "server/rooms/ids.hpp"

#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace fc::rooms {

namespace {
bool lower_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool id_char(char c) {
    return lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

void random_bytes(unsigned char* out, int n) {
    if (RAND_bytes(out, n) != 1)
        throw std::runtime_error("RAND_bytes failed");
}
} // namespace

bool valid_room_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxRoomId || !lower_alnum(id.front()))
        return false;
    for (char c : id)
        if (!lower_alnum(c) && c != '_' && c != '-')
            return false;
    return true;
}

namespace {
// min..max characters of [A-Za-z0-9_-].
bool id_of(std::string_view id, std::size_t min, std::size_t max) {
    return id.size() >= min && id.size() <= max &&
           std::all_of(id.begin(), id.end(), [](char c) { return id_char(c); });
}
} // namespace

bool valid_client_id(std::string_view id) {
    return id_of(id, kMinClientId, kMaxClientId);
}

bool valid_resume_token(std::string_view token) {
    return id_of(token, kMinResumeToken, kMaxResumeToken);
}

bool valid_display_name(std::string_view name) {
    std::size_t points = 0;
    for (std::size_t i = 0; i < name.size();) {
        const auto c = static_cast<unsigned char>(name[i]);
        std::size_t len = c < 0x80           ? 1
                          : (c >> 5) == 0x6  ? 2
                          : (c >> 4) == 0xE  ? 3
                          : (c >> 3) == 0x1E ? 4
                                             : 0;
        if (len == 0 || i + len > name.size())
            return false;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(name[i + k]) & 0xC0) != 0x80)
                return false;
        i += len;
        if (++points > kMaxDisplayName)
            return false;
    }
    return true;
}

std::string new_peer_id() {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::array<unsigned char, 16> raw{};
    random_bytes(raw.data(), static_cast<int>(raw.size()));
    std::string id = "p_";
    for (unsigned char b : raw)
        id.push_back(kAlphabet[b & 63]);
    return id;
}

std::string room_tag(std::string_view room_id) {
    static const std::array<unsigned char, 32> key = [] {
        std::array<unsigned char, 32> k{};
        random_bytes(k.data(), static_cast<int>(k.size()));
        return k;
    }();
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(room_id.data()), room_id.size(), mac, &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string tag = "r_";
    for (unsigned i = 0; i < 6; ++i) {
        tag.push_back(kHex[mac[i] >> 4]);
        tag.push_back(kHex[mac[i] & 15]);
    }
    return tag;
}

} // namespace fc::rooms
