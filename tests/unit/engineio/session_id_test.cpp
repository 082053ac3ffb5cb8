#include "server/engineio/session_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace fc::engineio;

TEST(SessionId, Is22Base64UrlCharacters) {
    const auto id = random_id();
    EXPECT_EQ(id.size(), 22u);
    EXPECT_EQ(
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
}

TEST(SessionId, DoesNotRepeat) {
    std::set<std::string> ids;
    for (int i = 0; i < 10000; ++i)
        ids.insert(random_id());
    EXPECT_EQ(ids.size(), 10000u);
}

TEST(SessionId, StartsWithTheNodeTagWhenThereIsOne) {
    const auto id = new_session_id("node-A_1");
    EXPECT_EQ(id.size(), kNodeTagLength + kSessionIdRandomLength);
    EXPECT_EQ(id.rfind("node-A_1", 0), 0u);
    EXPECT_EQ(node_tag_of(id), "node-A_1");
    EXPECT_EQ(new_session_id("").size(), kSessionIdRandomLength);
}

TEST(SessionId, NodeTagsAreEightBase64UrlCharacters) {
    EXPECT_TRUE(valid_node_tag("abcdEF-_"));
    EXPECT_FALSE(valid_node_tag(""));
    EXPECT_FALSE(valid_node_tag("abcdEF-"));
    EXPECT_FALSE(valid_node_tag("abcdEF-_9"));
    EXPECT_FALSE(valid_node_tag("abcd EF_"));
    EXPECT_FALSE(valid_node_tag(std::string_view("abcd\0EF_", 8)));
}

TEST(SessionId, AnUntaggedOrMalformedSidHasNoTag) {
    EXPECT_EQ(node_tag_of(random_id()), ""); // a single node's sid
    EXPECT_EQ(node_tag_of(""), "");
    EXPECT_EQ(node_tag_of("nodeAAAA"), "");
    const std::string tail = random_id();
    EXPECT_EQ(node_tag_of("nodeAAAA" + tail.substr(1)), "");
    EXPECT_EQ(node_tag_of("nodeAAAA" + tail + "A"), "");
    EXPECT_EQ(node_tag_of("node/AAA" + tail), "");
    EXPECT_EQ(node_tag_of("nodeAAAA" + tail.substr(1) + "\xff"), "");
    EXPECT_EQ(node_tag_of("nodeAAAA" + tail, 0), "");
    EXPECT_EQ(node_tag_of("nodeAA" + tail, 6), "nodeAA");
}

TEST(SessionId, ReadingATagFromArbitraryBytesIsSafe) {
    // Every length around a tagged sid's, every byte value: an answer is
    // either empty or the sid's first kNodeTagLength characters.
    std::string sid;
    for (int round = 0; round < 4000; ++round) {
        sid.assign(static_cast<std::size_t>(round % 40), 'A');
        for (std::size_t i = 0; i < sid.size(); ++i)
            sid[i] = static_cast<char>((round * 131 + static_cast<int>(i) * 17) & 0xff);
        const auto tag = node_tag_of(sid);
        EXPECT_TRUE(tag.empty() || (tag.data() == sid.data() && tag.size() == kNodeTagLength));
    }
}
