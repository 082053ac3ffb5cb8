#include "server/websocket/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

using fc::websocket::valid_utf8;

TEST(WebSocketUtf8, AcceptsAsciiAndWellFormedSequences) {
    EXPECT_TRUE(valid_utf8(""));
    EXPECT_TRUE(valid_utf8("plain ascii text that is longer than eight bytes"));
    EXPECT_TRUE(valid_utf8("\xc3\xa9t\xc3\xa9"));             // été
    EXPECT_TRUE(valid_utf8("\xe2\x82\xac"));                  // €
    EXPECT_TRUE(valid_utf8("\xf0\x9f\x8e\xaa festival"));     // 🎪
    EXPECT_TRUE(valid_utf8("\xf4\x8f\xbf\xbf"));              // U+10FFFF
    EXPECT_TRUE(valid_utf8(std::string("nul\0inside", 10)));
}

TEST(WebSocketUtf8, RejectsMalformedSequences) {
    EXPECT_FALSE(valid_utf8("\x80"));                 // lone continuation
    EXPECT_FALSE(valid_utf8("\xc0\xaf"));             // overlong '/'
    EXPECT_FALSE(valid_utf8("\xe0\x80\xaf"));         // overlong
    EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));         // surrogate U+D800
    EXPECT_FALSE(valid_utf8("\xf4\x90\x80\x80"));     // above U+10FFFF
    EXPECT_FALSE(valid_utf8("\xf5\x80\x80\x80"));
    EXPECT_FALSE(valid_utf8("\xe2\x82"));             // truncated
    EXPECT_FALSE(valid_utf8("abcdefgh\xff"));         // after an ASCII run
    EXPECT_FALSE(valid_utf8("\xc3\x28"));             // bad continuation
}

// The ASCII runs are checked 64, 16 and 8 bytes at a time: a sequence, good
// or bad, is found at every offset and in every tail.
TEST(WebSocketUtf8, FindsASequenceAtEveryOffsetOfALongText) {
    for (std::size_t length : {63u, 64u, 65u, 130u, 200u}) {
        for (std::size_t at = 0; at + 3 <= length; ++at) {
            std::string text(length, 'a');
            text.replace(at, 3, "\xe2\x82\xac"); // €
            EXPECT_TRUE(valid_utf8(text)) << length << " " << at;
            text[at + 1] = 'x'; // a bad continuation
            EXPECT_FALSE(valid_utf8(text)) << length << " " << at;
            text[at + 1] = '\x82';
            text[at] = '\xff';
            EXPECT_FALSE(valid_utf8(text)) << length << " " << at;
        }
    }
}
