#include "server/rooms/resume_token.hpp"

#include <gtest/gtest.h>

using namespace fc::rooms;

TEST(ResumeTokenDigests, MatchOnlyTheSameToken) {
    const auto a = digest_token("abcdefghijklmnop");
    EXPECT_TRUE(same_digest(a, digest_token("abcdefghijklmnop")));
    EXPECT_FALSE(same_digest(a, digest_token("abcdefghijklmnoq")));
    EXPECT_FALSE(same_digest(a, digest_token("abcdefghijklmnopq")));
}

TEST(ResumeTokenDigests, AreSha256) {
    // FIPS 180-2, appendix B.1: SHA-256("abc").
    const TokenDigest abc = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                             0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                             0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    EXPECT_TRUE(same_digest(digest_token("abc"), abc));
}
