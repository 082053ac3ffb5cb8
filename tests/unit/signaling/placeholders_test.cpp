#include "server/signaling/placeholders.hpp"

#include "server/signaling/events.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

using namespace fc::signaling;

namespace {
// The check as the service makes it: the payload as parse_signal finds it.
bool check(const std::string& raw, std::size_t attachments) {
    const auto req = parse_signal(raw);
    if (!req)
        return false;
    return placeholders_in_payload(raw, req->payload_raw, attachments);
}
} // namespace

TEST(Placeholders, AnythingGoesWithoutAttachments) {
    EXPECT_TRUE(check(R"(["signal",{"to":"p","type":"t","payload":{"a":1}}])", 0));
    EXPECT_TRUE(placeholders_in_payload("not json", "null", 0));
}

TEST(Placeholders, AcceptsEachAttachmentReferencedOnceInThePayload) {
    EXPECT_TRUE(
        check(R"(["signal",{"to":"p","type":"t","payload":{"_placeholder":true,"num":0}}])", 1));
    EXPECT_TRUE(check(
        R"(["signal",{"type":"t","payload":[{"num":1,"_placeholder":true},{"x":{"_placeholder":true,"num":0}}],"to":"p"}])",
        2));
    // Whitespace anywhere, and extra members of a placeholder, as the
    // socket.io parsers allow.
    EXPECT_TRUE(check(
        R"([ "signal" , { "to" : "p" , "type" : "t" , "payload" : { "b" : { "num" : 0 , "_placeholder" : true , "z" : [ ] } } } ])",
        1));
}

TEST(Placeholders, RefusesAnAttachmentReferencedOutsideThePayload) {
    for (
        const std::string raw : {
            // in an extra key
            R"(["signal",{"to":"p","type":"t","x":{"_placeholder":true,"num":0}}])",
            // before the payload, which holds none
            R"(["signal",{"to":"p","x":[{"_placeholder":true,"num":0}],"type":"t","payload":null}])",
            // in another argument of the event
            R"(["signal",{"to":"p","type":"t","payload":1},{"_placeholder":true,"num":0}])",
            // no payload at all
            R"(["signal",{"to":"p","type":"t"}])",
        })
        EXPECT_FALSE(check(raw, 1)) << raw;
    // As `to` (which parse_signal refuses anyway, not being a string)
    const std::string as_to =
        R"(["signal",{"to":{"_placeholder":true,"num":0},"type":"t","payload":{}}])";
    EXPECT_FALSE(placeholders_in_payload(as_to, "{}", 1));
    // One inside, a second reference to the same attachment outside.
    EXPECT_FALSE(check(
        R"(["signal",{"to":"p","type":"t","payload":{"_placeholder":true,"num":0},"y":{"_placeholder":true,"num":0}}])",
        1));
}

TEST(Placeholders, RefusesAMissingRepeatedOrOutOfRangeNumber) {
    const std::string one =
        R"(["signal",{"to":"p","type":"t","payload":[{"_placeholder":true,"num":0}]}])";
    EXPECT_FALSE(check(one, 2)); // attachment 1 is never referenced
    EXPECT_FALSE(check(
        R"(["signal",{"to":"p","type":"t","payload":[{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}]}])",
        2));
    EXPECT_FALSE(check(
        R"(["signal",{"to":"p","type":"t","payload":[{"_placeholder":true,"num":0},{"_placeholder":true,"num":2}]}])",
        2));
    EXPECT_FALSE(check(R"(["signal",{"to":"p","type":"t","payload":{"x":1}}])", 1));
}

TEST(Placeholders, RefusesAmbiguousPlaceholders) {
    for (const std::string payload : {
             R"({"_placeholder":true,"_placeholder":true,"num":0})",
             R"({"_placeholder":false,"_placeholder":true,"num":0})",
             R"({"_placeholder":true,"num":0,"num":0})",
             R"({"_placeholder":true})",
             R"({"_placeholder":true,"num":"0"})",
             R"({"_placeholder":true,"num":-1})",
             R"({"_placeholder":true,"num":0.0})",
             R"({"_placeholder":true,"num":1e0})",
             R"({"_placeholder":true,"num":99999999999999999999999})",
         }) {
        const std::string raw = R"(["signal",{"to":"p","type":"t","payload":)" + payload + "}]";
        EXPECT_FALSE(check(raw, 1)) << payload;
    }
}

TEST(Placeholders, ReadsKeysAsAParserWould) {
    // Escaped keys name the same members...
    EXPECT_TRUE(check(
        R"(["signal",{"to":"p","type":"t","payload":{"\u005fplaceholder":true,"n\u0075m":0}}])",
        1));
    EXPECT_FALSE(check(
        R"(["signal",{"to":"p","type":"t","payload":1,"x":{"\u005fplaceholder":true,"num":0}}])",
        1));
    // ...while look-alikes in strings, and a false or non-boolean flag, are
    // no placeholders (the socket.io parsers test `_placeholder === true`).
    const std::string inside = R"({"_placeholder":true,"num":0})";
    EXPECT_TRUE(check(
        R"(["signal",{"to":"p","type":"t","x":"{\"_placeholder\":true,\"num\":0}","payload":)" +
            inside + "}]",
        1));
    EXPECT_TRUE(check(
        R"(["signal",{"to":"p","type":"t","x":{"_placeholder":false,"num":0},"y":{"_placeholder":"true","num":0},"payload":)" +
            inside + "}]",
        1));
    // A placeholder's own members are not looked into (the binary replaces it).
    EXPECT_TRUE(check(
        R"(["signal",{"to":"p","type":"t","payload":{"_placeholder":true,"num":0,"k":{"_placeholder":true,"num":0}}}])",
        1));
}

TEST(Placeholders, APayloadOutsideTheEventHoldsNothing) {
    const std::string raw =
        R"(["signal",{"to":"p","type":"t","payload":{"_placeholder":true,"num":0}}])";
    const std::string copy = R"({"_placeholder":true,"num":0})";
    EXPECT_FALSE(placeholders_in_payload(raw, copy, 1));
}

TEST(Placeholders, NeverThrowsOnArbitraryText) {
    const std::string raw =
        R"(["signal",{"to":"p","type":"t","payload":[{"_placeholder":true,"num":1},{"a":[{"\u005fplaceholder":true,"num":0}]}],"x":"\"{"}])";
    ASSERT_TRUE(check(raw, 2));
    // Every prefix, and the same text with bytes flipped: no crash, no throw,
    // and whatever it answers is an answer.
    for (std::size_t n = 0; n <= raw.size(); ++n) {
        const std::string_view cut(raw.data(), n);
        EXPECT_NO_THROW(placeholders_in_payload(cut, cut.substr(n / 2), 2));
    }
    std::mt19937 rng(7);
    const std::string alphabet = "{}[]\",:\\ _placeholdernumtrue0123";
    for (int i = 0; i < 2000; ++i) {
        std::string t = raw;
        for (int k = 0; k < 4; ++k)
            t[rng() % t.size()] = alphabet[rng() % alphabet.size()];
        EXPECT_NO_THROW(placeholders_in_payload(t, std::string_view(t).substr(40, 60), 2));
    }
    const std::string deep = std::string(10000, '[') + std::string(10000, ']');
    EXPECT_FALSE(placeholders_in_payload(deep, deep, 1));
}
