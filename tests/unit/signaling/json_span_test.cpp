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
    EXPECT_EQ(skip_value(R"("\\" x)", 0), 4u);    // "\\" : an escaped backslash
    EXPECT_EQ(skip_value(R"("\\\"" x)", 0), 6u);  // "\\\"" : backslash, then a quote
    EXPECT_EQ(skip_value(R"("a\\\\" x)", 0), 7u); // two escaped backslashes
    EXPECT_EQ(skip_value(R"("\"\"\"")", 0), 8u);
    EXPECT_EQ(skip_value(R"("\")", 0), std::string_view::npos);
    // memchr is bounded by the view, not by a NUL
    EXPECT_EQ(skip_value(std::string_view("\"a\0b\"c", 5), 0), 5u);
    EXPECT_EQ(skip_value(std::string_view("\"a\0b\"c", 4), 0), std::string_view::npos);
}

TEST(JsonSpan, FindsWhereArrayElementsStart) {
    const std::string_view a = R"([ "signal" , {"a":[1,2]}, null ])";
    EXPECT_EQ(from_element(a, 0), R"("signal" , {"a":[1,2]}, null ])");
    EXPECT_EQ(from_element(a, 1), R"({"a":[1,2]}, null ])");
    EXPECT_EQ(from_element(a, 2), "null ]");
    EXPECT_FALSE(from_element(a, 3));
    EXPECT_FALSE(from_element("[]", 0));
    EXPECT_FALSE(from_element(" [ ] ", 0));
    EXPECT_FALSE(from_element("{}", 0));
    EXPECT_FALSE(from_element("", 0));
    EXPECT_FALSE(from_element("[1,", 1));
}

TEST(JsonSpan, ReadsObjectMembersKeepingRawText) {
    MemberReader r(R"( {"to":"p_1", "type" :"offer","payload":{"sdp":"v=0\r\n}"}} )");
    auto m = r.next();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->key, "to");
    EXPECT_EQ(m->value, R"("p_1")");
    m = r.next();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->key, "type");
    EXPECT_EQ(m->value, R"("offer")");
    m = r.next();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->key, "payload");
    EXPECT_EQ(m->value, R"({"sdp":"v=0\r\n}"})");
    EXPECT_FALSE(r.next());
    EXPECT_TRUE(r.ok());

    MemberReader escaped(R"({"k\"ey":1})");
    m = escaped.next();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->key, R"(k\"ey)");

    // Reading stops at the object's end: the text after it is not looked at.
    MemberReader first(R"({"a":1}, {"b":2}])");
    m = first.next();
    ASSERT_TRUE(m);
    EXPECT_EQ(m->key, "a");
    EXPECT_EQ(m->value, "1");
    EXPECT_FALSE(first.next());
    EXPECT_TRUE(first.ok());

    MemberReader empty(" { } ");
    EXPECT_FALSE(empty.next());
    EXPECT_TRUE(empty.ok());
}

TEST(JsonSpan, RefusesTextThatIsNotAnObject) {
    for (const std::string_view text : {"[]", R"("x")", "", R"({"a":1 "b":2})", R"({"a"})"}) {
        MemberReader r(text);
        while (r.next()) {
        }
        EXPECT_FALSE(r.ok()) << text;
    }
}

TEST(JsonSpan, DecodesAStringsEscapes) {
    EXPECT_EQ(decode_string(R"(p_\u0078\/y)"), "p_x/y");
    EXPECT_EQ(decode_string("plain"), "plain");
    EXPECT_EQ(decode_string(""), "");
    EXPECT_FALSE(decode_string(R"(a"b)"));   // an unescaped quote ends the string early
    EXPECT_FALSE(decode_string(R"(bad\x)")); // not a JSON escape
    EXPECT_FALSE(decode_string("trailing\\"));
}
