#include "server/rooms/ids.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace fc::rooms;

TEST(RoomIds, FollowTheContract) {
    EXPECT_TRUE(valid_room_id("blue-tiger-42"));
    EXPECT_TRUE(valid_room_id("a"));
    EXPECT_TRUE(valid_room_id("0_x-y"));
    EXPECT_TRUE(valid_room_id(std::string(64, 'a')));
    EXPECT_FALSE(valid_room_id(""));
    EXPECT_FALSE(valid_room_id(std::string(65, 'a')));
    EXPECT_FALSE(valid_room_id("-lead"));
    EXPECT_FALSE(valid_room_id("_lead"));
    EXPECT_FALSE(valid_room_id("Blue"));
    EXPECT_FALSE(valid_room_id("blue tiger"));
    EXPECT_FALSE(valid_room_id("blue/tiger"));
}

TEST(ClientIds, FollowTheContract) {
    EXPECT_TRUE(valid_client_id("k3j4h5g6"));
    EXPECT_TRUE(valid_client_id("AZaz09_-"));
    EXPECT_TRUE(valid_client_id(std::string(64, 'Q')));
    EXPECT_FALSE(valid_client_id("short"));
    EXPECT_FALSE(valid_client_id(std::string(65, 'Q')));
    EXPECT_FALSE(valid_client_id("has space"));
    EXPECT_FALSE(valid_client_id("dots.are.bad"));
}

TEST(ResumeTokens, Are16To128UrlSafeCharacters) {
    EXPECT_TRUE(valid_resume_token("AZaz09_-AZaz09_-"));
    EXPECT_TRUE(valid_resume_token(std::string(128, 'x')));
    EXPECT_FALSE(valid_resume_token(""));
    EXPECT_FALSE(valid_resume_token(std::string(15, 'x')));
    EXPECT_FALSE(valid_resume_token(std::string(129, 'x')));
    EXPECT_FALSE(valid_resume_token("abcdefghijklmnop="));
    EXPECT_FALSE(valid_resume_token("abcdefghijklmnop+/"));
    EXPECT_FALSE(valid_resume_token(std::string("abcdefghijklmnop\0", 17)));
}

TEST(DisplayNames, CountCodePointsAndRequireUtf8) {
    EXPECT_TRUE(valid_display_name(""));
    EXPECT_TRUE(valid_display_name("Ana"));
    std::string e64;
    for (int i = 0; i < 64; ++i)
        e64 += "\xC3\xA9"; // é: 128 bytes, 64 characters
    EXPECT_TRUE(valid_display_name(e64));
    EXPECT_FALSE(valid_display_name(e64 + "x"));
    EXPECT_TRUE(valid_display_name("\xF0\x9F\x8E\xB8 band")); // emoji
    EXPECT_FALSE(valid_display_name("\xC3"));                 // truncated
    EXPECT_FALSE(valid_display_name("\xFF"));
    EXPECT_FALSE(valid_display_name("\xE2\x28\xA1"));
}

TEST(PeerIds, AreUniqueAndShaped) {
    std::set<std::string> ids;
    for (int i = 0; i < 5000; ++i) {
        auto id = new_peer_id();
        EXPECT_EQ(id.rfind("p_", 0), 0u);
        EXPECT_EQ(id.size(), 18u);
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 5000u);
}

TEST(RoomTags, AreStableAndHideTheRoom) {
    const auto tag = room_tag("secret-room");
    EXPECT_EQ(tag, room_tag("secret-room"));
    EXPECT_NE(tag, room_tag("secret-roon"));
    EXPECT_EQ(tag.find("secret"), std::string::npos);
    EXPECT_EQ(tag.size(), 14u);
}
