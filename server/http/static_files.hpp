// Serves the built web app from a folder: MIME types, ETags, cache policy
// (immutable for content-hashed assets, no-cache for index.html),
// precompressed .br/.gz siblings, SPA room links, and no way out of the
// folder.
#pragma once

#include "server/http/types.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fc::http {

class StaticFiles {
public:
    // `root` may not exist: then "/" answers a built-in placeholder page.
    explicit StaticFiles(std::filesystem::path root);

    // `target_path` is the request path without its query ("/",
    // "/assets/index-3f2a9c1b.js", "/r/blue-tiger-42").
    Response serve(const Request& req, std::string_view target_path) const;

private:
    struct Entry {
        std::filesystem::file_time_type mtime;
        std::uintmax_t size = 0;
        std::string body;
        std::string etag;
    };
    // The file's content and ETag, from the cache when unchanged; null if
    // it cannot be read.
    std::shared_ptr<const Entry> load(const std::filesystem::path& file) const;
    // The file a request path names, inside the root; empty if none.
    std::filesystem::path resolve(std::string_view relative) const;

    std::filesystem::path root_;
    std::filesystem::path canonical_root_;
    // Touched only from the io thread.
    mutable std::unordered_map<std::string, std::shared_ptr<const Entry>> cache_;
};

// MIME type for a file name, with charset for text types.
std::string_view mime_type(std::string_view filename);
// Percent-decodes a URL path; empty optional for malformed escapes, NUL,
// or encoded '/' and '\' (which would smuggle separators past checks).
std::optional<std::string> decode_path(std::string_view path);
// Accept-Encoding admits `coding` (q > 0, or via "*").
bool accepts_encoding(std::string_view header, std::string_view coding);

} // namespace fc::http
