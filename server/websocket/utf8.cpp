#include "server/websocket/utf8.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fc::websocket {

bool valid_utf8(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        // ASCII runs, 64, 16 or 8 bytes at a time: the common case for
        // JSON (a relayed SDP is kilobytes of it).
#if defined(__SSE2__)
        auto load = [](const unsigned char* at) {
            return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
        };
        while (end - p >= 64 &&
               _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(load(p), load(p + 16)),
                                              _mm_or_si128(load(p + 32), load(p + 48)))) == 0)
            p += 64;
        while (end - p >= 16 && _mm_movemask_epi8(load(p)) == 0)
            p += 16;
#endif
        while (end - p >= 8) {
            std::uint64_t word;
            std::memcpy(&word, p, 8);
            if (word & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p == end)
            break;
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        // Lead byte: sequence length and the allowed range of the second
        // byte (which rules out overlongs, surrogates and > U+10FFFF).
        std::size_t n = 0;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return false;
        }
        if (static_cast<std::size_t>(end - p) < n)
            return false;
        if (p[1] < lo || p[1] > hi)
            return false;
        for (std::size_t i = 2; i < n; ++i)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        p += n;
    }
    return true;
}

} // namespace fc::websocket
