#include "server/socketio/json_shape.hpp"

#include <boost/json/error.hpp>
#include <gtest/gtest.h>

#include <string>

using namespace fc::socketio;
using boost::json::kind;

TEST(JsonShape, KeepsTheTopLevelKindAndTheFirstElement) {
    auto s = scan_json(R"( [ "sig\u006eal" , {"to":"p","a":["x",1]}, 2 ] )");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->kind, kind::array);
    EXPECT_EQ(s->size, 3u);
    EXPECT_EQ(s->first, kind::string);
    EXPECT_EQ(s->first_string, "signal"); // decoded

    s = scan_json(R"([12,"x"])");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->first, kind::int64);
    EXPECT_TRUE(s->first_string.empty());
    EXPECT_EQ(scan_json("[1.5]")->first, kind::double_);
    EXPECT_EQ(scan_json("[18446744073709551615]")->first, kind::uint64);
    EXPECT_EQ(scan_json("[[\"x\"],\"y\"]")->first, kind::array);
    EXPECT_TRUE(scan_json("[[\"x\"],\"y\"]")->first_string.empty());
    EXPECT_EQ(scan_json(R"([{"a":"b"}])")->first, kind::object);
    EXPECT_EQ(scan_json("[]")->size, 0u);
    EXPECT_EQ(scan_json(R"({"a":[1,2]})")->kind, kind::object);
    EXPECT_EQ(scan_json(R"({"a":[1,2]})")->size, 0u);
    EXPECT_EQ(scan_json(R"("s")")->kind, kind::string);
    EXPECT_EQ(scan_json("null")->kind, kind::null);
    EXPECT_EQ(scan_json("true")->kind, kind::bool_);
}

TEST(JsonShape, CollectsALongFirstStringWhole) {
    const std::string name(5000, 'n');
    auto s = scan_json(R"([")" + name + R"(\t",1])");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->first_string, name + "\t");
}

TEST(JsonShape, RefusesWhatBoostJsonParseRefuses) {
    using boost::json::error;
    EXPECT_EQ(scan_json("").error(), error::incomplete);
    EXPECT_EQ(scan_json(R"(["x",)").error(), error::incomplete);
    EXPECT_EQ(scan_json(R"(["x"] [])").error(), error::extra_data);
    EXPECT_EQ(scan_json(R"(["x"],)").error(), error::extra_data);
    EXPECT_TRUE(scan_json(" [\"x\"] \n"));
    EXPECT_FALSE(scan_json("abc"));
    EXPECT_FALSE(scan_json("[1,]"));
    EXPECT_FALSE(scan_json(R"({"a"})"));
    EXPECT_FALSE(scan_json("[/* no */1]"));
    EXPECT_FALSE(scan_json("[\"\xff\"]"));    // not UTF-8
    EXPECT_FALSE(scan_json(R"(["\ud800"])")); // lone surrogate
    EXPECT_FALSE(scan_json("[\"a\x01\"]"));   // control character
    // Depth 32 at most, as boost::json::parse.
    EXPECT_TRUE(scan_json(std::string(32, '[') + std::string(32, ']')));
    EXPECT_EQ(scan_json(std::string(33, '[') + std::string(33, ']')).error(), error::too_deep);
}
