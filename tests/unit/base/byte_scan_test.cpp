#include "server/base/byte_scan.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace fc::base;

namespace {

// Every test runs with each instruction set the CPU has, against a plain
// byte-by-byte answer, over every length and offset around the step sizes.
class ByteScan : public testing::TestWithParam<ScanIsa> {
protected:
    void SetUp() override {
        before_ = scan_isa();
        if (set_scan_isa(GetParam()) != GetParam())
            GTEST_SKIP() << "this CPU has no AVX2";
    }
    void TearDown() override { set_scan_isa(before_); }

private:
    ScanIsa before_ = ScanIsa::baseline;
};

const char* plain_first(const std::string& s, bool (*stop)(unsigned char)) {
    for (const char& c : s)
        if (stop(static_cast<unsigned char>(c)))
            return &c;
    return s.data() + s.size();
}

bool non_ascii(unsigned char c) {
    return c >= 0x80;
}
bool json_special(unsigned char c) {
    return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

} // namespace

TEST_P(ByteScan, FindsTheFirstNonAsciiByteAtEveryOffset) {
    for (std::size_t length = 0; length <= 140; ++length) {
        const std::string plain(length, 'a');
        EXPECT_EQ(first_non_ascii(plain.data(), plain.data() + length), plain.data() + length);
        for (std::size_t at = 0; at < length; ++at) {
            for (char c : {'\x80', '\xff', '\xc3'}) {
                std::string s = plain;
                s[at] = c;
                if (at + 1 < length)
                    s[length - 1] = '\xe2'; // a later one is not the first
                EXPECT_EQ(first_non_ascii(s.data(), s.data() + length), plain_first(s, non_ascii))
                    << length << " " << at;
            }
        }
    }
}

TEST_P(ByteScan, FindsTheFirstJsonSpecialByteAtEveryOffset) {
    for (std::size_t length = 0; length <= 140; ++length) {
        const std::string plain(length, 'x');
        EXPECT_EQ(first_json_special(plain.data(), plain.data() + length), plain.data() + length);
        for (std::size_t at = 0; at < length; ++at) {
            for (char c : {'"', '\\', '\x00', '\x1f', '\x7f', ' ', '\x80', '\xf4', '!', '#', '[', ']'}) {
                std::string s = plain;
                s[at] = c;
                EXPECT_EQ(first_json_special(s.data(), s.data() + length), plain_first(s, json_special))
                    << length << " " << at << " " << int(static_cast<unsigned char>(c));
            }
        }
    }
}

TEST_P(ByteScan, XorsEveryLengthWithTheKeyInTurn) {
    const unsigned char key[4] = {0x12, 0x80, 0xfe, 0x07};
    for (std::size_t length = 0; length <= 200; ++length) {
        std::vector<char> data(length);
        for (std::size_t i = 0; i < length; ++i)
            data[i] = static_cast<char>(i * 7);
        std::vector<char> out = data;
        xor_repeating(out.data(), length, key);
        for (std::size_t i = 0; i < length; ++i)
            ASSERT_EQ(static_cast<unsigned char>(out[i]), static_cast<unsigned char>(data[i]) ^ key[i % 4])
                << length << " " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(Isa, ByteScan, testing::Values(ScanIsa::baseline, ScanIsa::avx2),
                         [](const testing::TestParamInfo<ScanIsa>& i) {
                             return i.param == ScanIsa::avx2 ? std::string("Avx2") : std::string("Baseline");
                         });

namespace {

// RFC 3629 the long way: decode, then ask whether the code point is one,
// was encoded in as few bytes as it needs, and is no surrogate.
std::size_t reference_sequence(const unsigned char* u, std::size_t left) {
    std::size_t n;
    std::uint32_t cp;
    if ((u[0] & 0xE0) == 0xC0) {
        n = 2;
        cp = u[0] & 0x1F;
    } else if ((u[0] & 0xF0) == 0xE0) {
        n = 3;
        cp = u[0] & 0x0F;
    } else if ((u[0] & 0xF8) == 0xF0) {
        n = 4;
        cp = u[0] & 0x07;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (std::size_t i = 1; i < n; ++i) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (u[i] & 0x3F);
    }
    const std::uint32_t least[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

} // namespace

TEST(ByteScanUtf8, AgreesWithADecoderOnEveryLeadAndSecondByte) {
    const unsigned char later[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    unsigned char s[4];
    for (unsigned lead = 0x80; lead <= 0xFF; ++lead)
        for (unsigned second = 0; second <= 0xFF; ++second)
            for (unsigned char third : later)
                for (unsigned char fourth : later) {
                    s[0] = static_cast<unsigned char>(lead);
                    s[1] = static_cast<unsigned char>(second);
                    s[2] = third;
                    s[3] = fourth;
                    for (std::size_t left = 1; left <= 4; ++left) {
                        const char* p = reinterpret_cast<const char*>(s);
                        ASSERT_EQ(utf8_sequence(p, p + left), reference_sequence(s, left))
                            << std::hex << lead << " " << second << " " << int(third) << " "
                            << int(fourth) << " left " << left;
                    }
                }
}
