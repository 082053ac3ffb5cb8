#include "server/engineio/base64.hpp"

#include <openssl/evp.h>

namespace fc::engineio {

void base64_append(std::string& out, std::string_view bytes) {
    const size_t old = out.size();
    out.resize(old + 4 * ((bytes.size() + 2) / 3) + 1); // EVP writes a NUL
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + old),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(old + static_cast<size_t>(n));
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0)
        return std::nullopt;
    size_t padding = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (c == '=') {
            // '=' only in the last two places, and nothing but '=' after it
            if (i + 2 < text.size())
                return std::nullopt;
            ++padding;
        } else if (!alpha || padding > 0) {
            return std::nullopt;
        }
    }
    std::string out(text.size() / 4 * 3 + 1, '\0');
    if (!text.empty()) {
        const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
        if (n < 0)
            return std::nullopt;
        // EVP_DecodeBlock counts padding as decoded zero bytes.
        out.resize(static_cast<size_t>(n) - padding);
    } else {
        out.clear();
    }
    return out;
}

} // namespace fc::engineio
