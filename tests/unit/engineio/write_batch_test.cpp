#include "server/engineio/write_batch.hpp"

#include "server/websocket/frame.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace fc::engineio;
namespace ws = fc::websocket;

namespace {

std::string joined(const WriteBatch& b) {
    std::string out;
    for (const auto& buf : b.buffers())
        out.append(static_cast<const char*>(buf.data()), buf.size());
    return out;
}

// What the batch must amount to: the control bytes, then every frame
// whole, in order.
std::string expected(std::string_view control, const std::vector<FramePtr>& frames) {
    std::string out(control);
    for (const auto& f : frames)
        ws::append_frame(out, f->binary ? ws::Opcode::binary : ws::Opcode::text, f->bytes);
    return out;
}

} // namespace

TEST(WriteBatch, SmallFramesBecomeOneBuffer) {
    std::vector<FramePtr> frames;
    for (int i = 0; i < 40; ++i)
        frames.push_back(make_text_frame(PacketType::message, std::string(100 + i, 'a' + i % 26)));
    frames.push_back(make_binary_frame("\x01\x02"));
    WriteBatch b;
    b.build("HTTP/1.1 101\r\n\r\n", frames);
    EXPECT_EQ(b.buffers().size(), 1u);
    EXPECT_EQ(joined(b), expected("HTTP/1.1 101\r\n\r\n", frames));
}

TEST(WriteBatch, LargeFramesAreReferencedInPlace) {
    std::vector<FramePtr> frames = {
        make_text_frame(PacketType::message, "small"),
        make_text_frame(PacketType::message,
                        std::string(WriteBatch::kCopyBytes - 1, 'x')), // "4" + 1023: copied
        make_binary_frame(std::string(70000, 'y')),                    // a 10-byte header
        make_binary_frame(std::string(300, 'z')),                      // a 4-byte header
        make_text_frame(PacketType::message, std::string(2000, 'w')),
    };
    WriteBatch b;
    b.build({}, frames);
    // [small, the 1024-byte frame, 70000's header] [70000] [the 300-byte frame,
    // 2001's header] [2001]
    ASSERT_EQ(b.buffers().size(), 4u);
    EXPECT_EQ(b.buffers()[1].data(), frames[2]->bytes.data());
    EXPECT_EQ(b.buffers()[3].data(), frames[4]->bytes.data());
    EXPECT_EQ(joined(b), expected({}, frames));
}

TEST(WriteBatch, ControlBytesAlone) {
    WriteBatch b;
    b.build(ws::close_frame(ws::close_code::normal), {});
    EXPECT_EQ(joined(b), ws::close_frame(ws::close_code::normal));
    b.clear();
    EXPECT_TRUE(b.buffers().empty());
    b.build({}, {});
    EXPECT_TRUE(b.buffers().empty());
}

TEST(WriteBatch, WhatIsPendingShrinksAsAPartialWriteIsConsumed) {
    std::vector<FramePtr> frames = {
        make_text_frame(PacketType::message, "small"),
        make_binary_frame(std::string(70000, 'y')),
        make_text_frame(PacketType::message, "tail"),
    };
    WriteBatch b;
    b.build("ctl", frames);
    const std::string all = expected("ctl", frames);
    std::string written;
    // Written in uneven pieces, as sendmsg may: each piece is the front of
    // what is pending.
    for (std::size_t piece : {2u, 9u, 1000u, 65536u, 3u}) {
        std::string pending;
        for (const auto& buf : b.pending())
            pending.append(static_cast<const char*>(buf.data()), buf.size());
        ASSERT_EQ(written + pending, all);
        const std::size_t n = std::min(piece, pending.size());
        written += pending.substr(0, n);
        b.consume(n);
    }
    std::string rest;
    for (const auto& buf : b.pending())
        rest.append(static_cast<const char*>(buf.data()), buf.size());
    b.consume(rest.size());
    EXPECT_EQ(written + rest, all);
    EXPECT_TRUE(b.pending().empty());
    b.clear();
    EXPECT_TRUE(b.pending().empty());
}
