#include "server/base/byte_scan.hpp"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define FC_SCAN_AVX2 1
#include <immintrin.h>
#endif
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fc::base {

namespace {

bool cpu_has_avx2() {
#if defined(FC_SCAN_AVX2)
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

bool use_avx2 = cpu_has_avx2();

// --- baseline: SSE2, then 8 bytes, then 1 ------------------------------------

const char* first_non_ascii_baseline(const char* p, const char* end) {
#if defined(__SSE2__)
    auto load = [](const char* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); };
    while (end - p >= 64 && _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(load(p), load(p + 16)),
                                                           _mm_or_si128(load(p + 32), load(p + 48)))) == 0)
        p += 64;
#endif
    return scan_detail::first_non_ascii_short(p, end);
}

const char* first_json_special_baseline(const char* p, const char* end) {
#if defined(__SSE2__)
    using scan_detail::json_special16;
    while (end - p >= 64) {
        const __m128i any = _mm_or_si128(_mm_or_si128(json_special16(p), json_special16(p + 16)),
                                         _mm_or_si128(json_special16(p + 32), json_special16(p + 48)));
        if (_mm_movemask_epi8(any))
            break;
        p += 64;
    }
#endif
    return scan_detail::first_json_special_short(p, end);
}

void xor_repeating_baseline(char* data, std::size_t size, const unsigned char key[4]) {
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i key16 = _mm_set1_epi64x(static_cast<long long>(scan_detail::key_twice(key)));
    for (; i + 64 <= size; i += 64) {
        auto* p = reinterpret_cast<__m128i*>(data + i);
        const __m128i a = _mm_loadu_si128(p), b = _mm_loadu_si128(p + 1);
        const __m128i c = _mm_loadu_si128(p + 2), d = _mm_loadu_si128(p + 3);
        _mm_storeu_si128(p, _mm_xor_si128(a, key16));
        _mm_storeu_si128(p + 1, _mm_xor_si128(b, key16));
        _mm_storeu_si128(p + 2, _mm_xor_si128(c, key16));
        _mm_storeu_si128(p + 3, _mm_xor_si128(d, key16));
    }
    for (; i + 16 <= size; i += 16) {
        auto* p = reinterpret_cast<__m128i*>(data + i);
        _mm_storeu_si128(p, _mm_xor_si128(_mm_loadu_si128(p), key16));
    }
#endif
    // (i is a multiple of 4: the key lines up again.)
    scan_detail::xor_repeating_short(data + i, size - i, key);
}

// --- AVX2: 32 bytes a step; the tails go to the baseline ---------------------------

#if defined(FC_SCAN_AVX2)
#define FC_AVX2 __attribute__((target("avx2")))

FC_AVX2 inline __m256i load32(const char* at) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
}

FC_AVX2 const char* first_non_ascii_avx2(const char* p, const char* end) {
    while (end - p >= 64 && _mm256_movemask_epi8(_mm256_or_si256(load32(p), load32(p + 32))) == 0)
        p += 64;
    while (end - p >= 32) {
        if (const int m = _mm256_movemask_epi8(load32(p)))
            return p + __builtin_ctz(static_cast<unsigned>(m));
        p += 32;
    }
    return scan_detail::first_non_ascii_short(p, end);
}

FC_AVX2 inline __m256i special32(const char* at, __m256i quote, __m256i backslash, __m256i space) {
    const __m256i v = load32(at);
    return _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, quote), _mm256_cmpeq_epi8(v, backslash)),
                           _mm256_cmpgt_epi8(space, v));
}

FC_AVX2 const char* first_json_special_avx2(const char* p, const char* end) {
    const __m256i quote = _mm256_set1_epi8('"');
    const __m256i backslash = _mm256_set1_epi8('\\');
    const __m256i space = _mm256_set1_epi8(' ');
    while (end - p >= 64) {
        const __m256i any = _mm256_or_si256(special32(p, quote, backslash, space),
                                            special32(p + 32, quote, backslash, space));
        if (!_mm256_testz_si256(any, any))
            break;
        p += 64;
    }
    while (end - p >= 32) {
        if (const int m = _mm256_movemask_epi8(special32(p, quote, backslash, space)))
            return p + __builtin_ctz(static_cast<unsigned>(m));
        p += 32;
    }
    return scan_detail::first_json_special_short(p, end);
}

FC_AVX2 void xor_repeating_avx2(char* data, std::size_t size, const unsigned char key[4]) {
    std::uint32_t key4;
    std::memcpy(&key4, key, 4);
    const __m256i key32 = _mm256_set1_epi32(static_cast<int>(key4));
    std::size_t i = 0;
    for (; i + 64 <= size; i += 64) {
        auto* p = reinterpret_cast<__m256i*>(data + i);
        const __m256i a = _mm256_loadu_si256(p), b = _mm256_loadu_si256(p + 1);
        _mm256_storeu_si256(p, _mm256_xor_si256(a, key32));
        _mm256_storeu_si256(p + 1, _mm256_xor_si256(b, key32));
    }
    // (i is a multiple of 4: the key lines up again.)
    scan_detail::xor_repeating_short(data + i, size - i, key);
}
#endif

} // namespace

namespace scan_detail {

const char* first_non_ascii_long(const char* p, const char* end) {
#if defined(FC_SCAN_AVX2)
    if (use_avx2)
        return first_non_ascii_avx2(p, end);
#endif
    return first_non_ascii_baseline(p, end);
}

const char* first_json_special_long(const char* p, const char* end) {
#if defined(FC_SCAN_AVX2)
    if (use_avx2)
        return first_json_special_avx2(p, end);
#endif
    return first_json_special_baseline(p, end);
}

void xor_repeating_long(char* data, std::size_t size, const unsigned char key[4]) {
#if defined(FC_SCAN_AVX2)
    if (use_avx2)
        return xor_repeating_avx2(data, size, key);
#endif
    xor_repeating_baseline(data, size, key);
}

} // namespace scan_detail

ScanIsa scan_isa() {
    return use_avx2 ? ScanIsa::avx2 : ScanIsa::baseline;
}

ScanIsa set_scan_isa(ScanIsa isa) {
    use_avx2 = isa == ScanIsa::avx2 && cpu_has_avx2();
    return scan_isa();
}

} // namespace fc::base
