#include "server/signaling/events.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace fc::signaling;
using fc::rooms::Error;

namespace {
boost::json::array args(std::string_view text) {
    return boost::json::parse(text).as_array();
}
} // namespace

TEST(ParseJoin, AcceptsAValidRequest) {
    const auto a = args(
        R"(["join-room",{"roomId":"blue-tiger-42","clientId":"k3j4h5g6f7","displayName":"Ana"}])");
    auto r = parse_join(a);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->room_id, "blue-tiger-42");
    EXPECT_EQ(r->client_id, "k3j4h5g6f7");
    EXPECT_EQ(r->display_name, "Ana");
}

TEST(ParseJoin, GivesEachFieldItsCode) {
    EXPECT_EQ(parse_join(args(R"(["join-room"])")).error(), Error::bad_request);
    EXPECT_EQ(parse_join(args(R"(["join-room","x"])")).error(), Error::bad_request);
    EXPECT_EQ(parse_join(args(R"(["join-room",{"clientId":"abcdefgh"}])")).error(),
              Error::bad_request);
    EXPECT_EQ(parse_join(args(R"(["join-room",{"roomId":1,"clientId":"abcdefgh"}])")).error(),
              Error::bad_request);
    EXPECT_EQ(parse_join(args(R"(["join-room",{"roomId":"Bad","clientId":"abcdefgh"}])")).error(),
              Error::invalid_room);
    EXPECT_EQ(parse_join(args(R"(["join-room",{"roomId":"ok","clientId":"abc"}])")).error(),
              Error::bad_request);
    EXPECT_EQ(
        parse_join(args(R"(["join-room",{"roomId":"ok","clientId":"abcdefgh","displayName":5}])"))
            .error(),
        Error::bad_request);
    EXPECT_TRUE(parse_join(
        args(R"(["join-room",{"roomId":"ok","clientId":"abcdefgh","displayName":null}])")));
}

TEST(ParseJoin, TakesAnOptionalResumeToken) {
    auto a = args(R"(["join-room",{"roomId":"ok","clientId":"abcdefgh"}])");
    auto r = parse_join(a);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->resume_token.empty());
    const std::string token = "Ab0_-" + std::string(11, 'z'); // 16, the shortest
    a = args(R"(["join-room",{"roomId":"ok","clientId":"abcdefgh","resumeToken":")" + token +
             R"("}])");
    r = parse_join(a);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->resume_token, token);
    a = args(R"(["join-room",{"roomId":"ok","clientId":"abcdefgh","resumeToken":")" +
             std::string(128, 'T') + R"("}])");
    EXPECT_TRUE(parse_join(a));
}

TEST(ParseJoin, RefusesAMalformedResumeToken) {
    for (const std::string& token : std::vector<std::string>{
             R"("")",
             R"("abcdefghijklmno")", // 15
             "\"" + std::string(129, 'T') + "\"",
             R"("abcdefghijklmnop!")",
             R"("abcdefghijklmnop qr")",
             R"("abcdefghijklmnop\u00e9")",
             "12345678901234567890",
             "null",
             "true",
             R"(["abcdefghijklmnopq"])",
         }) {
        const auto a = args(R"(["join-room",{"roomId":"ok","clientId":"abcdefgh","resumeToken":)" +
                            token + "}]");
        EXPECT_EQ(parse_join(a).error(), Error::bad_request) << token;
    }
}

TEST(ParseSignal, KeepsThePayloadBytesExactly) {
    const std::string raw =
        R"(["signal",{"to":"p_x","type":"offer","payload":{"n":1.50,"s":"\u00e9"}}])";
    auto r = parse_signal(raw);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->to(), "p_x");
    EXPECT_EQ(r->type_raw, R"("offer")");
    EXPECT_EQ(r->payload_raw, R"({"n":1.50,"s":"\u00e9"})");
    EXPECT_EQ(encode_signal("p_me", *r),
              R"(["signal",{"from":"p_me","type":"offer","payload":{"n":1.50,"s":"\u00e9"}}])");
}

TEST(ParseSignal, PiecesJoinToTheEncodedSignal) {
    const std::string raw = R"(["signal",{"to":"p_x","type":"answer","payload":[1,"}"]}])";
    auto r = parse_signal(raw);
    ASSERT_TRUE(r);
    std::string joined;
    for (std::string_view piece : signal_pieces("p_me", *r))
        joined += piece;
    EXPECT_EQ(joined, encode_signal("p_me", *r));
    EXPECT_EQ(joined, R"(["signal",{"from":"p_me","type":"answer","payload":[1,"}"]}])");
}

TEST(ParseSignal, ReadsMembersAsAParsedObjectWould) {
    // Whitespace anywhere, members in any order, unknown members ignored.
    std::string raw =
        R"( [ "signal" , { "x" : [1,{"to":"p_no"}] , "payload" : [ "a" ] , "type" : "answer" , "to" : "p_x" } ] )";
    auto r = parse_signal(raw);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->to(), "p_x");
    EXPECT_EQ(r->type_raw, R"("answer")");
    EXPECT_EQ(r->payload_raw, R"([ "a" ])");
}

TEST(ParseSignal, RefusesARepeatedTo) {
    // Parsers disagree on which of two equal keys counts: refuse, whatever
    // the second one holds.
    for (const std::string raw : {
             R"(["signal",{"to":"p_a","type":"t","to":"p_b"}])",
             R"(["signal",{"to":"p_a","type":"t","to":"p_a"}])",
             R"(["signal",{"to":"p_a","type":"t","to":7}])",
             R"(["signal",{"to":7,"type":"t","to":"p_a"}])",
             R"(["signal",{"to":"p_a","payload":{"to":"x"},"type":"t","to":"p_b"}])",
         })
        EXPECT_EQ(parse_signal(raw).error(), Error::bad_request) << raw;
    // A `to` nested in the payload is the payload's business.
    auto r = parse_signal(R"(["signal",{"to":"p_a","type":"t","payload":{"to":"p_b"}}])");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->to(), "p_a");
}

TEST(ParseSignal, DecodesEscapedStrings) {
    const std::string raw = R"(["signal",{"to":"p_\u0078\/y","type":"\u00e9"}])";
    auto r = parse_signal(raw);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->to(), "p_x/y");
    EXPECT_EQ(r->type_raw, R"("\u00e9")"); // relayed as sent
    // The 32-character limit counts decoded bytes, escapes or not.
    std::string type16; // 16 x "\u00e9": 32 bytes of UTF-8, 96 of text
    for (int i = 0; i < 16; ++i)
        type16 += R"(\u00e9)";
    EXPECT_TRUE(parse_signal(R"(["signal",{"to":"p","type":")" + type16 + R"("}])"));
    EXPECT_EQ(parse_signal(R"(["signal",{"to":"p","type":")" + type16 + R"(x"}])").error(),
              Error::bad_request);
    EXPECT_TRUE(parse_signal(R"(["signal",{"to":"p","type":")" + std::string(32, 'a') + R"("}])"));
    EXPECT_FALSE(parse_signal(R"(["signal",{"to":"p","type":")" + std::string(33, 'a') + R"("}])"));
}

TEST(ParseSignal, DefaultsAMissingPayloadToNull) {
    const std::string raw = R"(["signal",{"to":"p_x","type":"candidate"}])";
    auto r = parse_signal(raw);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->payload_raw, "null");
}

TEST(ParseSignal, RefusesAmbiguousOrMistypedSignals) {
    for (const std::string raw : {
             R"(["signal",{"type":"offer"}])",
             R"(["signal",{"to":"p_x"}])",
             R"(["signal",{"to":1,"type":"offer"}])",
             R"(["signal",{"to":"p_x","type":"offerofferofferofferofferofferoff!"}])",
             R"(["signal",{"to":"p_x","type":"a","payload":1,"payload":2}])",
             R"(["signal",{"to":"p_x","type":"a","pay\u006coad":1}])",
             R"(["signal","x"])",
             R"(["signal"])",
             R"(["signal",{"to":"p_x","type":"a","type":"a"}])",
             R"(["signal",{"to":"p_x","type":null}])",
             R"(["signal",[{"to":"p_x","type":"a"}]])",
         })
        EXPECT_EQ(parse_signal(raw).error(), Error::bad_request) << raw;
}

TEST(Encoders, WriteTheContractsJson) {
    fc::rooms::Member m{7, "p_a", "clientAA", "Ana \"A\""};
    EXPECT_EQ(
        encode_peer_joined(m),
        R"(["peer-joined",{"peerId":"p_a","clientId":"clientAA","displayName":"Ana \"A\""}])");
    EXPECT_EQ(encode_peer_left("p_a", fc::rooms::LeaveReason::replaced),
              R"(["peer-left",{"peerId":"p_a","reason":"replaced"}])");
    EXPECT_EQ(encode_ok_ack(), R"([{"ok":true}])");
    EXPECT_EQ(encode_error_ack(Error::room_full)
                  .rfind(R"([{"ok":false,"error":{"code":"room-full","message":)", 0),
              0u);
    fc::rooms::Member other{8, "p_b", "clientBB", "Bo"};
    fc::rooms::Joined j{m, {other}};
    boost::json::array ice;
    ice.emplace_back(boost::json::object{{"urls", "stun:x"}});
    EXPECT_EQ(
        encode_join_ack(j, ice),
        R"([{"ok":true,"peerId":"p_a","peers":[{"peerId":"p_b","clientId":"clientBB","displayName":"Bo"}],"iceServers":[{"urls":"stun:x"}]}])");
}
