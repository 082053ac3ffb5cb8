#include "server/engineio/base64.hpp"

#include <gtest/gtest.h>

using namespace fc::engineio;

TEST(Base64, EncodesRfc4648Vectors) {
    const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                           {"f", "Zg=="},
                                                           {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},
                                                           {"foob", "Zm9vYg=="},
                                                           {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (auto [plain, encoded] : vectors) {
        std::string out;
        base64_append(out, plain);
        EXPECT_EQ(out, encoded);
        auto back = base64_decode(encoded);
        ASSERT_TRUE(back) << encoded;
        EXPECT_EQ(*back, plain);
    }
}

TEST(Base64, AppendsAfterExistingText) {
    std::string out = "b";
    base64_append(out, std::string("\x01\x02\x03\x04", 4));
    EXPECT_EQ(out, "bAQIDBA==");
}

TEST(Base64, RejectsMalformedInput) {
    EXPECT_FALSE(base64_decode("Zg="));  // length
    EXPECT_FALSE(base64_decode("Z!==")); // alphabet
    EXPECT_FALSE(base64_decode("Z=g=")); // padding in the middle
    EXPECT_FALSE(base64_decode("=Zg="));
    EXPECT_FALSE(base64_decode("Zg==Zg==")); // data after padding
}
