// Scans over long runs of bytes, the part of every relayed signal that
// grows with its size: unmasking a client's frame, checking its UTF-8, and
// finding where a JSON string ends. 32 bytes a step where the CPU has AVX2
// (asked once, at start), 16 with SSE2 (every x86-64), else 8 or 1.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fc::base {

// The first byte in [p, end) from 0x80 up, or `end`.
inline const char* first_non_ascii(const char* p, const char* end);

// The first byte in [p, end) that a JSON string cannot simply contain: a
// quote, a backslash, a control byte or one from 0x80 up; or `end`.
inline const char* first_json_special(const char* p, const char* end);

// XORs data[0, size) with `key`, repeated (a WebSocket masking key).
inline void xor_repeating(char* data, std::size_t size, const unsigned char key[4]);

// `p` (before `end`) at a byte from 0x80 up: the length (2 to 4) of the
// well-formed UTF-8 sequence it starts, or 0 if there is none (RFC 3629
// section 4: no overlong forms, no surrogates, nothing past U+10FFFF, not
// cut short by `end`).
inline std::size_t utf8_sequence(const char* p, const char* end) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    const unsigned char c = u[0];
    std::size_t n = 0;
    unsigned char low = 0x80, high = 0xBF; // the second byte's range
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            low = 0xA0;
        else if (c == 0xED)
            high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            low = 0x90;
        else if (c == 0xF4)
            high = 0x8F;
    } else {
        return 0;
    }
    if (end - p < static_cast<std::ptrdiff_t>(n) || u[1] < low || u[1] > high)
        return 0;
    for (std::size_t i = 2; i < n; ++i)
        if ((u[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

// Which instructions the scans of long runs use. Tests run both ways;
// nothing else needs to choose.
enum class ScanIsa { baseline, avx2 };
ScanIsa scan_isa();
// Picks `isa` if the CPU has it; returns what was picked.
ScanIsa set_scan_isa(ScanIsa isa);

// --- how -----------------------------------------------------------------------
// Most runs are short (a key, a peer id, a small frame): their first
// kLongRun bytes are scanned here, inline, 16 bytes a step. Past those, a
// call to the widest code this CPU runs pays for itself.

namespace scan_detail {

constexpr std::ptrdiff_t kLongRun = 64;

const char* first_non_ascii_long(const char* p, const char* end);
const char* first_json_special_long(const char* p, const char* end);
void xor_repeating_long(char* data, std::size_t size, const unsigned char key[4]);

inline bool json_special(unsigned char c) {
    return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

// The 4-byte masking key twice over, for 8 bytes a step.
inline std::uint64_t key_twice(const unsigned char key[4]) {
    std::uint64_t key8;
    const unsigned char k[8] = {key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3]};
    std::memcpy(&key8, k, 8);
    return key8;
}

#if defined(__SSE2__)
// json_special() of each of the 16 bytes at `at`: 0xFF where it holds.
inline __m128i json_special16(const char* at) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));
    // Signed: bytes from 0x80 up count as below ' ', as control bytes do.
    return _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                        _mm_cmplt_epi8(v, _mm_set1_epi8(' ')));
}
#endif

inline const char* first_non_ascii_short(const char* p, const char* end) {
#if defined(__SSE2__)
    while (end - p >= 16) {
        if (const int m = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))))
            return p + __builtin_ctz(static_cast<unsigned>(m));
        p += 16;
    }
#endif
    while (p < end && static_cast<unsigned char>(*p) < 0x80)
        ++p;
    return p;
}

inline const char* first_json_special_short(const char* p, const char* end) {
#if defined(__SSE2__)
    while (end - p >= 16) {
        if (const int m = _mm_movemask_epi8(json_special16(p)))
            return p + __builtin_ctz(static_cast<unsigned>(m));
        p += 16;
    }
#endif
    while (p < end && !json_special(static_cast<unsigned char>(*p)))
        ++p;
    return p;
}

inline void xor_repeating_short(char* data, std::size_t size, const unsigned char key[4]) {
    const std::uint64_t key8 = key_twice(key);
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, data + i, 8);
        w ^= key8;
        std::memcpy(data + i, &w, 8);
    }
    for (; i < size; ++i)
        data[i] = static_cast<char>(data[i] ^ key[i & 3]);
}

} // namespace scan_detail

inline const char* first_non_ascii(const char* p, const char* end) {
    const char* stop = end - p > scan_detail::kLongRun ? p + scan_detail::kLongRun : end;
    const char* at = scan_detail::first_non_ascii_short(p, stop);
    return at != stop || stop == end ? at : scan_detail::first_non_ascii_long(stop, end);
}

// (A JSON string is searched to the end of the whole text: most end in
// their first 64 bytes.)
inline const char* first_json_special(const char* p, const char* end) {
    const char* stop = end - p > scan_detail::kLongRun ? p + scan_detail::kLongRun : end;
    const char* at = scan_detail::first_json_special_short(p, stop);
    return at != stop || stop == end ? at : scan_detail::first_json_special_long(stop, end);
}

inline void xor_repeating(char* data, std::size_t size, const unsigned char key[4]) {
    if (size >= static_cast<std::size_t>(scan_detail::kLongRun))
        return scan_detail::xor_repeating_long(data, size, key);
    scan_detail::xor_repeating_short(data, size, key);
}

} // namespace fc::base
