#include "server/socketio/json_scanner.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

using namespace fc::socketio;
using boost::json::kind;

namespace {

bool scans(std::string_view text) {
    JsonShape shape;
    return scan_event_json(text, shape);
}

bool boost_accepts(std::string_view text) {
    boost::system::error_code ec;
    (void)boost::json::parse(text, ec);
    return !ec;
}

} // namespace

TEST(JsonScanner, ReadsAnEventAndNotesItsArgumentsMembers) {
    const std::string_view text =
        R"( ["signal" , { "to" : "p_B", "type":"offer","payload":{"sdp":"v=0\r\n","n":[1,-2.5e3]}} ] )";
    JsonShape s;
    ASSERT_TRUE(scan_event_json(text, s));
    EXPECT_EQ(s.kind, kind::array);
    EXPECT_EQ(s.size, 2u);
    EXPECT_EQ(s.first, kind::string);
    EXPECT_EQ(s.first_string, "signal");
    ASSERT_TRUE(s.arg.known);
    ASSERT_EQ(s.arg.count, 3u);
    EXPECT_EQ(s.arg.items[0].key, "to");
    EXPECT_EQ(s.arg.items[0].value, R"("p_B")");
    EXPECT_EQ(s.arg.items[1].key, "type");
    EXPECT_EQ(s.arg.items[1].value, R"("offer")");
    EXPECT_EQ(s.arg.items[2].key, "payload");
    EXPECT_EQ(s.arg.items[2].value, R"({"sdp":"v=0\r\n","n":[1,-2.5e3]})");
}

TEST(JsonScanner, NotesMembersOnlyOfAnObjectArgumentThatFits) {
    JsonShape s;
    ASSERT_TRUE(scan_event_json(R"(["x",[1],{"a":1}])", s));
    EXPECT_FALSE(s.arg.known);
    JsonShape none;
    ASSERT_TRUE(scan_event_json(R"(["x"])", none));
    EXPECT_FALSE(none.arg.known);
    JsonShape empty;
    ASSERT_TRUE(scan_event_json(R"(["x",{}])", empty));
    EXPECT_TRUE(empty.arg.known);
    EXPECT_EQ(empty.arg.count, 0u);
    JsonShape many;
    ASSERT_TRUE(scan_event_json(R"(["x",{"a":1,"b":2,"c":3,"d":4,"e":5}])", many));
    EXPECT_FALSE(many.arg.known); // more than kMax: read again by whoever wants them
    EXPECT_EQ(many.size, 2u);
}

TEST(JsonScanner, KeepsEscapesInKeysAndValuesAsSent) {
    JsonShape s;
    ASSERT_TRUE(scan_event_json(R"(["x",{"t\u006f":"a\"b\u00e9"}])", s));
    ASSERT_EQ(s.arg.count, 1u);
    EXPECT_EQ(s.arg.items[0].key, R"(t\u006f)");
    EXPECT_EQ(s.arg.items[0].value, R"("a\"b\u00e9")");
}

TEST(JsonScanner, AcceptsOnlyWhatBoostJsonAccepts) {
    // Accepted here, and by Boost.JSON.
    for (std::string_view ok : {R"(["a"])", R"(["a",1,-0,0.5,1e5,1E+5,-1.5e-300,true,false,null])",
                                "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x8e\x89\"]",
                                R"(["a","\/\b\f\n\r\t\\\"\u0041\uFFFF"])", "\t[\"a\"]\r\n "}) {
        EXPECT_TRUE(scans(ok)) << ok;
        EXPECT_TRUE(boost_accepts(ok)) << ok;
    }
    // Invalid: refused here, and by Boost.JSON.
    for (std::string_view bad :
         {R"(["a",])", R"(["a" 1])", R"(["a",01])", R"(["a",1.])", R"(["a",.5])", R"(["a",+1])",
          R"(["a",1e])", R"(["a",tru])", R"(["a",nul])", R"(["a",NaN])", R"(["a"]])",
          R"(["a"] x)", R"(["a",{"k"}])", R"(["a",{"k":}])", R"(["a",{k:1}])",
          R"(["a",{"k":1,}])", R"(["a","\x"])", R"(["a","\u12G4"])", "[\"a\",\"\x01\"]",
          "[\"a\",\"\xc0\xaf\"]", "[\"a\",\"\xed\xa0\x80\"]", "[\"a\",\"\xf4\x90\x80\x80\"]",
          "[\"a\",\"\xe2\x82\"]", R"(["a")", R"(["a)"}) {
        EXPECT_FALSE(scans(bad)) << bad;
        EXPECT_FALSE(boost_accepts(bad)) << bad;
    }
}

TEST(JsonScanner, LeavesWhatItIsUnsureOfToBoostJson) {
    // Valid, but read by Boost.JSON: not an event, an escaped name,
    // surrogate escapes, exponents near Boost.JSON's limits.
    for (std::string_view valid :
         {R"({"a":1})", R"("x")", "[]", R"([1,"x"])", R"(["sig\u006eal"])",
          R"(["a","\ud83c\udf89"])", R"(["a",1e0000000005])"}) {
        EXPECT_FALSE(scans(valid)) << valid;
        EXPECT_TRUE(boost_accepts(valid)) << valid;
    }
    EXPECT_FALSE(scans(R"(["a","\ud83c"])")); // a lone surrogate: Boost.JSON refuses it
}

TEST(JsonScanner, RefusesNestingBeyondBoostJsonsDepth) {
    const auto nested = [](int n) {
        return "[\"a\"," + std::string(static_cast<std::size_t>(n - 1), '[') +
               std::string(static_cast<std::size_t>(n - 1), ']') + "]";
    };
    EXPECT_TRUE(scans(nested(32)));
    EXPECT_TRUE(boost_accepts(nested(32)));
    EXPECT_FALSE(scans(nested(33)));
    EXPECT_FALSE(boost_accepts(nested(33)));
}

// Strings are searched 64 and 16 bytes at a time for what ends a plain run:
// a quote, an escape, a control byte or UTF-8 is found at every offset of a
// long string, and the verdict is Boost.JSON's.
TEST(JsonScanner, FindsWhatEndsAPlainRunAtEveryOffset) {
    for (std::size_t length : {15u, 63u, 64u, 65u, 130u, 200u}) {
        for (std::size_t at = 0; at < length; ++at) {
            for (std::string_view inner : {"\\\"", "\\u0041", "\x01", "\xc3\xa9", "\xc3", "\"", "\\q"}) {
                std::string value(length, 'x');
                value.replace(at, 1, inner);
                const std::string text = "[\"e\",{\"payload\":\"" + value + "\"}]";
                EXPECT_EQ(scans(text), boost_accepts(text)) << length << " " << at << " " << inner;
            }
        }
    }
}
