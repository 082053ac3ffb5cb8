#include "server/websocket/frame.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace fc::websocket;
using Kind = Event::Kind;

namespace {

// A client frame: masked with a fixed key, as a browser would send it.
std::string client_frame(std::uint8_t first_byte, std::string_view payload,
                         bool masked = true) {
    std::string out;
    out.push_back(static_cast<char>(first_byte));
    const unsigned char mask_bit = masked ? 0x80 : 0;
    if (payload.size() < 126) {
        out.push_back(static_cast<char>(mask_bit | payload.size()));
    } else if (payload.size() <= 0xFFFF) {
        out.push_back(static_cast<char>(mask_bit | 126));
        out.push_back(static_cast<char>(payload.size() >> 8));
        out.push_back(static_cast<char>(payload.size() & 0xFF));
    } else {
        out.push_back(static_cast<char>(mask_bit | 127));
        for (int i = 7; i >= 0; --i)
            out.push_back(static_cast<char>((payload.size() >> (8 * i)) & 0xFF));
    }
    const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
    if (masked)
        out.append(reinterpret_cast<const char*>(key), 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out.push_back(masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i]);
    return out;
}

Event next(Reader& r, std::string& bytes) {
    return r.next(bytes.data(), bytes.size());
}

} // namespace

TEST(WebSocketFrame, ReadsMaskedTextAndBinaryMessages) {
    Reader r(1000);
    std::string text = client_frame(0x81, "42[\"signal\",{}]");
    auto e = next(r, text);
    ASSERT_EQ(e.kind, Kind::message);
    EXPECT_EQ(e.payload, "42[\"signal\",{}]");
    EXPECT_FALSE(e.binary);
    EXPECT_EQ(e.consumed, text.size());

    std::string bin = client_frame(0x82, std::string("\x00\xff\x10", 3));
    e = next(r, bin);
    ASSERT_EQ(e.kind, Kind::message);
    EXPECT_TRUE(e.binary);
    EXPECT_EQ(e.payload, std::string("\x00\xff\x10", 3));
}

TEST(WebSocketFrame, NeedsMoreUntilTheWholeFrameIsThere) {
    Reader r(100000);
    const std::string payload(300, 'x');
    const std::string whole = client_frame(0x81, payload);
    for (std::size_t cut = 0; cut < whole.size(); ++cut) {
        std::string part = whole.substr(0, cut);
        EXPECT_EQ(next(r, part).kind, Kind::need_more) << cut;
    }
    std::string all = whole;
    auto e = next(r, all);
    ASSERT_EQ(e.kind, Kind::message);
    EXPECT_EQ(e.payload, payload);
}

TEST(WebSocketFrame, ReadsSixteenAndSixtyFourBitLengths) {
    Reader r(1 << 20);
    for (std::size_t n : {125u, 126u, 65535u, 65536u, 70000u}) {
        std::string f = client_frame(0x82, std::string(n, 'a'));
        auto e = next(r, f);
        ASSERT_EQ(e.kind, Kind::message) << n;
        EXPECT_EQ(e.payload.size(), n);
    }
}

TEST(WebSocketFrame, ReadsTwoFramesFromOneBuffer) {
    Reader r(1000);
    std::string both = client_frame(0x81, "2") + client_frame(0x81, "3probe");
    auto e = r.next(both.data(), both.size());
    ASSERT_EQ(e.kind, Kind::message);
    EXPECT_EQ(e.payload, "2");
    auto e2 = r.next(both.data() + e.consumed, both.size() - e.consumed);
    ASSERT_EQ(e2.kind, Kind::message);
    EXPECT_EQ(e2.payload, "3probe");
}

TEST(WebSocketFrame, AssemblesFragmentsWithControlFramesBetween) {
    Reader r(1000);
    std::string a = client_frame(0x01, "42[\"a\",");
    std::string ping = client_frame(0x89, "hi");
    std::string b = client_frame(0x00, "1,");
    std::string c = client_frame(0x80, "2]");
    EXPECT_EQ(next(r, a).kind, Kind::none);
    EXPECT_TRUE(r.in_fragmented_message());
    auto p = next(r, ping);
    EXPECT_EQ(p.kind, Kind::ping);
    EXPECT_EQ(p.payload, "hi");
    EXPECT_EQ(next(r, b).kind, Kind::none);
    auto e = next(r, c);
    ASSERT_EQ(e.kind, Kind::message);
    EXPECT_EQ(e.payload, "42[\"a\",1,2]");
    EXPECT_FALSE(e.binary);
    EXPECT_FALSE(r.in_fragmented_message());
}

TEST(WebSocketFrame, ReadsCloseCodesAndReasons) {
    Reader r(1000);
    std::string with_code = client_frame(0x88, std::string("\x03\xe8" "bye", 5));
    auto e = next(r, with_code);
    ASSERT_EQ(e.kind, Kind::close);
    EXPECT_EQ(e.code, 1000);
    EXPECT_EQ(e.payload, "bye");

    std::string empty = client_frame(0x88, "");
    e = next(r, empty);
    ASSERT_EQ(e.kind, Kind::close);
    EXPECT_EQ(e.code, close_code::no_status);
}

TEST(WebSocketFrame, FailsProtocolViolationsWithTheRightCode) {
    struct Case {
        std::string bytes;
        std::uint16_t code;
    };
    const Case cases[] = {
        {client_frame(0x81, "x", false), close_code::protocol_error},      // unmasked
        {client_frame(0xC1, "x"), close_code::protocol_error},             // RSV1 (no extension)
        {client_frame(0x83, "x"), close_code::protocol_error},             // reserved opcode
        {client_frame(0x8B, "x"), close_code::protocol_error},             // reserved control
        {client_frame(0x80, "x"), close_code::protocol_error},             // stray continuation
        {client_frame(0x09, "x"), close_code::protocol_error},             // fragmented ping
        {client_frame(0x89, std::string(126, 'p')), close_code::protocol_error}, // long ping
        {client_frame(0x88, "\x03"), close_code::protocol_error},          // 1-byte close
        {client_frame(0x88, std::string("\x03\xed", 2)), close_code::protocol_error}, // 1005
        {client_frame(0x88, std::string("\x03\xe8\xff", 3)), close_code::invalid_payload},
        {client_frame(0x81, "\xc3\x28"), close_code::invalid_payload},     // bad UTF-8
        {client_frame(0x82, std::string(1001, 'b')), close_code::too_big},
    };
    for (const auto& c : cases) {
        Reader r(1000);
        std::string bytes = c.bytes;
        auto e = next(r, bytes);
        EXPECT_EQ(e.kind, Kind::error) << static_cast<int>(static_cast<unsigned char>(bytes[0]));
        EXPECT_EQ(e.code, c.code) << e.what;
    }
}

TEST(WebSocketFrame, RejectsAnOversizedLengthBeforeThePayloadArrives) {
    Reader r(1000);
    std::string head = client_frame(0x82, std::string(70000, 'z')).substr(0, 10);
    auto e = next(r, head);
    ASSERT_EQ(e.kind, Kind::error);
    EXPECT_EQ(e.code, close_code::too_big);
}

TEST(WebSocketFrame, BoundsFragmentedMessagesToo) {
    Reader r(10);
    std::string a = client_frame(0x02, "123456");
    std::string b = client_frame(0x80, "7890a");
    EXPECT_EQ(next(r, a).kind, Kind::none);
    auto e = next(r, b);
    ASSERT_EQ(e.kind, Kind::error);
    EXPECT_EQ(e.code, close_code::too_big);
}

TEST(WebSocketFrame, RejectsANewMessageInsideAFragmentedOne) {
    Reader r(100);
    std::string a = client_frame(0x01, "ab");
    std::string b = client_frame(0x81, "cd");
    EXPECT_EQ(next(r, a).kind, Kind::none);
    EXPECT_EQ(next(r, b).kind, Kind::error);
}

TEST(WebSocketFrame, EncodesServerHeaders) {
    unsigned char h[kMaxHeaderSize];
    ASSERT_EQ(encode_header(Opcode::text, 5, h), 2u);
    EXPECT_EQ(h[0], 0x81);
    EXPECT_EQ(h[1], 5);
    ASSERT_EQ(encode_header(Opcode::binary, 300, h), 4u);
    EXPECT_EQ(h[0], 0x82);
    EXPECT_EQ(h[1], 126);
    EXPECT_EQ((h[2] << 8) | h[3], 300);
    ASSERT_EQ(encode_header(Opcode::text, 70000, h), 10u);
    EXPECT_EQ(h[1], 127);
    std::uint64_t n = 0;
    for (int i = 2; i < 10; ++i)
        n = (n << 8) | h[i];
    EXPECT_EQ(n, 70000u);
    EXPECT_EQ(close_frame(1000), std::string("\x88\x02\x03\xe8", 4));
}

TEST(WebSocketFrame, AClientReadsUnmaskedFramesAndRefusesMaskedOnes) {
    Reader client(1000, Role::client);
    std::string plain = client_frame(0x81, "40", false);
    auto e = next(client, plain);
    ASSERT_EQ(e.kind, Kind::message);
    EXPECT_EQ(e.payload, "40");
    std::string masked = client_frame(0x81, "40");
    EXPECT_EQ(next(client, masked).kind, Kind::error);
}

TEST(WebSocketFrame, ClientHeadersAndMaskingRoundTrip) {
    const unsigned char key[4] = {1, 2, 3, 4};
    std::string payload = "42[\"signal\",{\"to\":\"x\"}]";
    unsigned char head[kMaxClientHeaderSize];
    const std::size_t h = encode_client_header(Opcode::text, payload.size(), key, head);
    ASSERT_EQ(h, 6u);
    std::string wire(reinterpret_cast<const char*>(head), h);
    std::string body = payload;
    mask(body.data(), body.size(), key);
    wire += body;
    Reader server(1000);
    auto e = next(server, wire);
    ASSERT_EQ(e.kind, Kind::message);
    EXPECT_EQ(e.payload, payload);
}

// Masking works 64, 16 and 8 bytes at a time, then byte by byte: every
// length gets the key's bytes in turn, from the first byte on.
TEST(WebSocketFrame, MasksEveryLengthAsTheKeyRepeats) {
    const unsigned char key[4] = {0x12, 0x80, 0xfe, 0x07};
    for (std::size_t length = 0; length <= 200; ++length) {
        std::string data;
        for (std::size_t i = 0; i < length; ++i)
            data.push_back(static_cast<char>(i * 7));
        std::string masked = data;
        mask(masked.data(), masked.size(), key);
        for (std::size_t i = 0; i < length; ++i)
            ASSERT_EQ(static_cast<unsigned char>(masked[i]),
                      static_cast<unsigned char>(data[i]) ^ key[i % 4])
                << length << " " << i;
    }
}
