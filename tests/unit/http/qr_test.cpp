#include "server/http/qr.hpp"

#include <gtest/gtest.h>

#include <sstream>

using namespace fc::http;

TEST(Qr, RendersAnSvgWithAViewBox) {
    auto svg = qr_svg("https://chat.example/r/blue-tiger-42");
    ASSERT_TRUE(svg);
    EXPECT_EQ(svg->rfind("<svg", 0), 0u);
    EXPECT_NE(svg->find("viewBox=\"0 0 "), std::string::npos);
    EXPECT_NE(svg->find("<path d=\"M"), std::string::npos);
    EXPECT_NE(svg->find("</svg>"), std::string::npos);
}

TEST(Qr, LimitIsTightAboveARoomLink) {
    EXPECT_EQ(kMaxQrText, 512u);
}

TEST(Qr, RefusesEmptyAndOverlongText) {
    EXPECT_EQ(qr_svg("").error(), std::make_error_code(std::errc::invalid_argument));
    EXPECT_EQ(qr_svg(std::string(kMaxQrText + 1, 'x')).error(),
              std::make_error_code(std::errc::value_too_large));
    EXPECT_TRUE(qr_svg(std::string(kMaxQrText, 'x')));
    EXPECT_TRUE(qr_terminal("").empty());
}

TEST(Qr, TerminalRenderingHasEvenRows) {
    const auto text = qr_terminal("http://10.0.0.5:3000");
    ASSERT_FALSE(text.empty());
    std::istringstream in(text);
    std::string line;
    std::size_t width = 0, rows = 0;
    while (std::getline(in, line)) {
        // count code points (each cell is one)
        std::size_t cells = 0;
        for (unsigned char c : line)
            cells += (c & 0xC0) != 0x80;
        if (rows++ == 0)
            width = cells;
        EXPECT_EQ(cells, width);
    }
    EXPECT_GT(rows, 10u);
}
