#include "server/signaling/json_span.hpp"

#include <gtest/gtest.h>

using namespace fc::signaling;

TEST(JsonSpan, SkipsEveryKindOfValue) {
    EXPECT_EQ(skip_value(R"("a\"]}b" ,)", 0), 8u);
    EXPECT_EQ(skip_value("  12.5e3,", 0), 8u);
    EXPECT_EQ(skip_value("true]", 0), 4u);
    EXPECT_EQ(skip_value(R"([1,{"x":"]"},[]] tail)", 0), 16u);
    EXPECT_EQ(skip_value("", 0), std::string_view::npos);
    EXPECT_EQ(skip_value(R"("open)", 0), std::string_view::npos);
}

TEST(JsonSpan, FindsTheClosingQuoteAfterRunsOfBackslashes) {
    EXPECT_EQ(skip_value(R"("\\" x)", 0), 4u);        // "\\" : an escaped backslash
    EXPECT_EQ(skip_value(R"("\\\"" x)", 0), 6u);     // "\\\"" : backslash, then a quote
    EXPECT_EQ(skip_value(R"("a\\\\" x)", 0), 7u);   // two escaped backslashes
    EXPECT_EQ(skip_value(R"("\"\"\"")", 0), 8u);
    EXPECT_EQ(skip_value(R"("\")", 0), std::string_view::npos);
    // memchr is bounded by the view, not by a NUL
    EXPECT_EQ(skip_value(std::string_view("\"a\0b\"c", 5), 0), 5u);
    EXPECT_EQ(skip_value(std::string_view("\"a\0b\"c", 4), 0), std::string_view::npos);
}

TEST(JsonSpan, SplitsArrayElements) {
    std::vector<std::string_view> els;
    ASSERT_TRUE(array_elements(R"([ "signal" , {"a":[1,2]}, null ])", els));
    ASSERT_EQ(els.size(), 3u);
    EXPECT_EQ(els[0], R"("signal")");
    EXPECT_EQ(els[1], R"({"a":[1,2]})");
    EXPECT_EQ(els[2], "null");
    ASSERT_TRUE(array_elements("[]", els));
    EXPECT_TRUE(els.empty());
    EXPECT_FALSE(array_elements("{}", els));
}

TEST(JsonSpan, SplitsObjectMembersKeepingRawText) {
    std::vector<std::pair<std::string_view, std::string_view>> ms;
    ASSERT_TRUE(
        object_members(R"({"to":"p_1", "type" :"offer","payload":{"sdp":"v=0\r\n}"}})", ms));
    ASSERT_EQ(ms.size(), 3u);
    EXPECT_EQ(ms[0].first, "to");
    EXPECT_EQ(ms[1].second, R"("offer")");
    EXPECT_EQ(ms[2].first, "payload");
    EXPECT_EQ(ms[2].second, R"({"sdp":"v=0\r\n}"})");
    ASSERT_TRUE(object_members(R"({"k\"ey":1})", ms));
    EXPECT_EQ(ms[0].first, R"(k\"ey)");
}
