#include "server/socketio/packet.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace fc::socketio;

TEST(SocketioPacket, DecodesConnectWithAndWithoutNamespace) {
    auto p = decode("0");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->type, PacketType::connect);
    EXPECT_EQ(p->nsp, "/");
    EXPECT_TRUE(p->data.empty());

    p = decode(R"(0/custom,{"token":"123"})");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->nsp, "/custom");
    EXPECT_EQ(p->data, R"({"token":"123"})");

    p = decode("0/custom"); // no trailing comma
    ASSERT_TRUE(p);
    EXPECT_EQ(p->nsp, "/custom");
}

TEST(SocketioPacket, DecodesEventsWithAckIds) {
    auto p = decode(R"(2456["message-with-ack",1,"2",{"3":[false]}])");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->type, PacketType::event);
    ASSERT_TRUE(p->id);
    EXPECT_EQ(*p->id, 456u);
    EXPECT_EQ(p->json.as_array().size(), 4u);
    EXPECT_EQ(p->data, R"(["message-with-ack",1,"2",{"3":[false]}])");
}

TEST(SocketioPacket, SkipsTheTreeWhenAskedButNotTheName) {
    const std::string text = R"(2["sig\u006eal",{"to":"p_x"}])";
    auto p = decode(text, JsonTree::skip);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->name, "signal");
    EXPECT_TRUE(p->json.is_null());
    EXPECT_EQ(p->data, R"(["sig\u006eal",{"to":"p_x"}])");
    p = decode(text);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->name, "signal");
    EXPECT_EQ(p->json.as_array().size(), 2u);

    p = decode("2[7]", JsonTree::skip);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->name.empty()); // a numeric event name
    p = decode(R"(3["x"])", JsonTree::skip);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->name.empty()); // acks have no name

    // Binary packets always get their tree: the placeholder checks walk it.
    p = decode(R"(51-["m",{"_placeholder":true,"num":0}])", JsonTree::skip);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->name, "m");
    EXPECT_TRUE(p->json.is_array());
}

TEST(SocketioPacket, DecodesBinaryHeaders) {
    auto p = decode(R"(52-789["m",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->type, PacketType::binary_event);
    EXPECT_EQ(p->attachments, 2u);
    EXPECT_EQ(*p->id, 789u);
}

TEST(SocketioPacket, RejectsMalformedPackets) {
    EXPECT_EQ(decode("").error(), make_error_code(DecodeError::empty_packet));
    EXPECT_EQ(decode("abc").error(), make_error_code(DecodeError::unknown_packet_type));
    EXPECT_EQ(decode("9").error(), make_error_code(DecodeError::unknown_packet_type));
    EXPECT_EQ(decode("2{}").error(), make_error_code(DecodeError::bad_payload));
    EXPECT_EQ(decode(R"(2abc["x"])").error(), make_error_code(DecodeError::bad_json));
    EXPECT_EQ(decode("1{}").error(), make_error_code(DecodeError::bad_payload));
    EXPECT_EQ(decode("2[]").error(), make_error_code(DecodeError::bad_payload));
    EXPECT_EQ(decode("2[true]").error(), make_error_code(DecodeError::bad_payload));
    EXPECT_EQ(decode("0[]").error(), make_error_code(DecodeError::bad_payload));
    EXPECT_EQ(decode(R"(2["x",)").error(), make_error_code(DecodeError::bad_json));
    EXPECT_EQ(decode(R"(5["x"])").error(), make_error_code(DecodeError::bad_attachments));
    EXPECT_EQ(decode(R"(50-["x"])").error(), make_error_code(DecodeError::bad_attachments));
    EXPECT_EQ(decode(R"(5999-["x"])").error(), make_error_code(DecodeError::bad_attachments));
    EXPECT_EQ(decode(R"(29999999999999999999["x"])").error(),
              make_error_code(DecodeError::bad_ack_id));
}

TEST(SocketioPacket, GivesTheSameErrorsWithoutTheTree) {
    for (const std::string& text : std::vector<std::string>{
             "",
             "abc",
             "2{}",
             R"(2abc["x"])",
             "1{}",
             "2[]",
             "2[true]",
             "2[null]",
             "2[[]]",
             R"(2[{"a":1}])",
             "0[]",
             R"(0"x")",
             R"(2["x",)",
             R"(2["x"]])",
             R"(5["x"])",
             R"(51-["m",{"_placeholder":true,"num":1}])",
             "3{}",
             "3",
             R"(4[])",
             "2",
             R"(29999999999999999999["x"])",
             "2[\"\xff\"]",
             "2[\"x\"," + std::string(40, '[') + std::string(40, ']') + "]",
         }) {
        const auto with = decode(text);
        const auto without = decode(text, JsonTree::skip);
        ASSERT_FALSE(with) << text;
        ASSERT_FALSE(without) << text;
        EXPECT_EQ(with.error(), without.error()) << text;
    }
    EXPECT_EQ(decode(R"(2["x"] x)", JsonTree::skip).error(),
              make_error_code(DecodeError::bad_json));
    EXPECT_EQ(decode(R"(4[])", JsonTree::skip).error(), make_error_code(DecodeError::bad_payload));
    EXPECT_TRUE(decode(R"(4"nope")", JsonTree::skip));
    EXPECT_TRUE(decode(R"(0{"token":1})", JsonTree::skip));
    EXPECT_TRUE(decode(R"(3[])", JsonTree::skip));
    EXPECT_TRUE(decode(R"(2[1.5,2])", JsonTree::skip));
}

TEST(SocketioPacket, RejectsPlaceholdersOutOfRange) {
    EXPECT_EQ(decode(R"(51-["m",{"_placeholder":true,"num":1}])").error(),
              make_error_code(DecodeError::bad_placeholder));
    EXPECT_EQ(decode(R"(51-["m",{"_placeholder":true,"num":-1}])").error(),
              make_error_code(DecodeError::bad_placeholder));
    EXPECT_EQ(decode(R"(51-["m",{"_placeholder":true}])").error(),
              make_error_code(DecodeError::bad_placeholder));
    // In a plain event a placeholder-looking object is just data.
    EXPECT_TRUE(decode(R"(2["m",{"_placeholder":true,"num":9}])"));
}

TEST(SocketioPacket, RejectsDeepNesting) {
    std::string deep = "2[\"x\"," + std::string(100, '[') + std::string(100, ']') + "]";
    EXPECT_FALSE(decode(deep));
}

TEST(SocketioPacket, EncodesWithTheEngineMessagePrefix) {
    EXPECT_EQ(encode(PacketType::event, "/", R"(["auth",{}])")->bytes, R"(42["auth",{}])");
    EXPECT_EQ(encode(PacketType::event, "/custom", R"(["auth",{}])")->bytes,
              R"(42/custom,["auth",{}])");
    EXPECT_EQ(encode(PacketType::ack, "/", "[1]", 456)->bytes, "43456[1]");
    EXPECT_EQ(encode(PacketType::binary_ack, "/", "[]", 789, 2)->bytes, "462-789[]");
    EXPECT_EQ(
        encode(PacketType::connect_error, "/random", R"({"message":"Invalid namespace"})")->bytes,
        R"(44/random,{"message":"Invalid namespace"})");
    EXPECT_EQ(encode(PacketType::disconnect, "/", "")->bytes, "41");
}

TEST(SocketioPacket, EncodesDataGivenInPieces) {
    const std::string_view pieces[] = {R"(["signal",)", "", R"({"a":1}])"};
    EXPECT_EQ(encode_pieces(PacketType::event, "/", pieces)->bytes, R"(42["signal",{"a":1}])");
    EXPECT_EQ(encode_pieces(PacketType::binary_event, "/x", pieces, 7, 1)->bytes,
              R"(451-/x,7["signal",{"a":1}])");
    EXPECT_EQ(encode_pieces(PacketType::ack, "/", {}, 3)->bytes, "433");
}

TEST(SocketioPacket, RoundTripsThroughEncode) {
    const std::string text = R"(52-/custom,12["m",{"_placeholder":true,"num":1}])";
    auto p = decode(text);
    ASSERT_TRUE(p);
    auto f = encode(p->type, p->nsp, p->data, p->id, p->attachments);
    EXPECT_EQ(f->bytes, "4" + text);
}
