#include "server/http/static_files.hpp"

#include <gtest/gtest.h>

#include <fstream>

using namespace fc::http;
namespace fs = std::filesystem;

namespace {
class StaticFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                ("fc-static-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(root_ / "assets");
        write(root_ / "index.html", "<!doctype html>app");
        write(root_ / "assets/index-3f2a9c1b.js", "console.log(1)");
        write(root_ / "assets/index-3f2a9c1b.js.br", "BROTLI");
        write(root_ / "assets/index-3f2a9c1b.js.gz", "GZIP");
        write(root_ / "style.css", "body{}");
        outside_ = root_.string() + "-outside.txt";
        write(outside_, "SECRET");
        fs::create_symlink(outside_, root_ / "escape.txt");
    }
    void TearDown() override {
        fs::remove_all(root_);
        fs::remove(outside_);
    }
    static void write(const fs::path& p, std::string_view s) { std::ofstream(p) << s; }
    Response get(std::string_view path,
                 std::initializer_list<std::pair<beast_http::field, std::string>> h = {},
                 beast_http::verb verb = beast_http::verb::get) {
        Request req{verb, std::string(path), 11};
        for (const auto& [k, v] : h)
            req.set(k, v);
        return StaticFiles(root_).serve(req, path);
    }
    fs::path root_;
    fs::path outside_;
};
} // namespace

TEST_F(StaticFilesTest, ServesIndexForRootAndRoomLinks) {
    for (auto path : {"/", "/r/blue-tiger-42", "/direct", "/help/https"}) {
        auto res = get(path);
        EXPECT_EQ(res.result(), beast_http::status::ok) << path;
        EXPECT_EQ(res.body(), "<!doctype html>app");
        EXPECT_EQ(res[beast_http::field::cache_control], "no-cache");
        EXPECT_EQ(res[beast_http::field::content_type], "text/html; charset=utf-8");
    }
}

TEST_F(StaticFilesTest, MarksHashedAssetsImmutable) {
    auto res = get("/assets/index-3f2a9c1b.js");
    EXPECT_EQ(res.body(), "console.log(1)");
    EXPECT_EQ(res[beast_http::field::cache_control], "public, max-age=31536000, immutable");
    EXPECT_EQ(res[beast_http::field::content_type], "text/javascript; charset=utf-8");
    EXPECT_EQ(get("/style.css")[beast_http::field::cache_control], "no-cache");
}

TEST_F(StaticFilesTest, AnswersIfNoneMatchWith304) {
    auto first = get("/style.css");
    const std::string etag(first[beast_http::field::etag]);
    ASSERT_FALSE(etag.empty());
    auto again = get("/style.css", {{beast_http::field::if_none_match, etag}});
    EXPECT_EQ(again.result(), beast_http::status::not_modified);
    EXPECT_TRUE(again.body().empty());
    EXPECT_EQ(get("/style.css", {{beast_http::field::if_none_match, "\"other\""}}).result(),
              beast_http::status::ok);
}

TEST_F(StaticFilesTest, PrefersPrecompressedSiblings) {
    auto br = get("/assets/index-3f2a9c1b.js", {{beast_http::field::accept_encoding, "gzip, br"}});
    EXPECT_EQ(br.body(), "BROTLI");
    EXPECT_EQ(br[beast_http::field::content_encoding], "br");
    auto gz =
        get("/assets/index-3f2a9c1b.js", {{beast_http::field::accept_encoding, "gzip, br;q=0"}});
    EXPECT_EQ(gz.body(), "GZIP");
    auto plain =
        get("/assets/index-3f2a9c1b.js", {{beast_http::field::accept_encoding, "identity"}});
    EXPECT_EQ(plain.body(), "console.log(1)");
    EXPECT_EQ(plain[beast_http::field::vary], "Accept-Encoding");
}

TEST_F(StaticFilesTest, RefusesPathTraversal) {
    for (auto path :
         {"/../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/assets/..%2f..%2fx", "/assets/../../x",
          "/escape.txt", "/a\\..\\b", "/%00", "/%zz", "//etc/passwd"}) {
        auto res = get(path);
        EXPECT_GE(static_cast<int>(res.result_int()), 400) << path;
        EXPECT_EQ(res.body().find("SECRET"), std::string::npos) << path;
    }
}

TEST_F(StaticFilesTest, HeadAndOtherMethods) {
    EXPECT_EQ(get("/style.css", {}, beast_http::verb::post).result(),
              beast_http::status::method_not_allowed);
    EXPECT_EQ(get("/missing.js").result(), beast_http::status::not_found);
}

TEST(StaticFilesPlaceholder, ServesAPageWhenTheAppIsNotBuilt) {
    Request req{beast_http::verb::get, "/", 11};
    auto res = StaticFiles("/nonexistent-web-root").serve(req, "/");
    EXPECT_EQ(res.result(), beast_http::status::ok);
    EXPECT_NE(res.body().find("Festival Chat"), std::string::npos);
}

TEST(AcceptEncoding, HonoursQValues) {
    EXPECT_TRUE(accepts_encoding("gzip, br", "br"));
    EXPECT_FALSE(accepts_encoding("gzip;q=1, br;q=0", "br"));
    EXPECT_TRUE(accepts_encoding("*", "gzip"));
    EXPECT_FALSE(accepts_encoding("*;q=0", "gzip"));
    EXPECT_FALSE(accepts_encoding("", "gzip"));
}
