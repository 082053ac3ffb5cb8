#include "server/engineio/packet.hpp"

#include <gtest/gtest.h>

using namespace fc::engineio;

TEST(EngineioPacket, DecodesEveryTextType) {
    for (char t = '0'; t <= '6'; ++t) {
        auto p = decode_text_packet(std::string(1, t) + "data");
        ASSERT_TRUE(p) << t;
        EXPECT_EQ(static_cast<char>(p->type), t);
        EXPECT_EQ(p->data, "data");
        EXPECT_FALSE(p->binary);
    }
}

TEST(EngineioPacket, RejectsEmptyAndUnknownTypes) {
    EXPECT_EQ(decode_text_packet("").error(), make_error_code(DecodeError::empty_packet));
    EXPECT_EQ(decode_text_packet("7x").error(), make_error_code(DecodeError::unknown_packet_type));
    EXPECT_EQ(decode_text_packet("abc").error(), make_error_code(DecodeError::unknown_packet_type));
}

TEST(EngineioPacket, SplitsPayloadOnRecordSeparator) {
    auto ps = decode_payload("4test1\x1e"
                             "4test2\x1e"
                             "4test3");
    ASSERT_TRUE(ps);
    ASSERT_EQ(ps->size(), 3u);
    EXPECT_EQ((*ps)[2].data, "test3");
}

TEST(EngineioPacket, DecodesBinaryFromBase64) {
    auto ps = decode_payload("4hello\x1e"
                             "bAQIDBA==");
    ASSERT_TRUE(ps);
    ASSERT_EQ(ps->size(), 2u);
    EXPECT_TRUE((*ps)[1].binary);
    EXPECT_EQ((*ps)[1].data, std::string("\x01\x02\x03\x04", 4));
}

TEST(EngineioPacket, RejectsBadBase64AndEmptySegments) {
    EXPECT_EQ(decode_payload("b!!!!").error(), make_error_code(DecodeError::bad_base64));
    EXPECT_FALSE(decode_payload("4a\x1e\x1e"
                                "4b"));
    EXPECT_FALSE(decode_payload(""));
}

TEST(EngineioPacket, BoundsPacketsPerPayload) {
    std::string body = "6";
    for (int i = 0; i < 10; ++i)
        body += "\x1e"
                "6";
    EXPECT_EQ(decode_payload(body, 5).error(), make_error_code(DecodeError::payload_too_large));
    EXPECT_TRUE(decode_payload(body, 11));
}

TEST(EngineioPacket, AppendsFramesToPayloadAndRoundTrips) {
    std::string body;
    append_to_payload(body, *make_text_frame(PacketType::message, "hello"));
    append_to_payload(body, *make_binary_frame(std::string("\x01\x02\x03\x04", 4)));
    append_to_payload(body, *make_text_frame(PacketType::ping));
    EXPECT_EQ(body, "4hello\x1e"
                    "bAQIDBA==\x1e"
                    "2");
    auto ps = decode_payload(body);
    ASSERT_TRUE(ps);
    EXPECT_EQ(ps->size(), 3u);
}
