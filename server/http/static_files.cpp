#include "server/http/static_files.hpp"

#include "server/base/hex.hpp"

#include <fstream>
#include <optional>
#include <system_error>

namespace fc::http {

namespace fs = std::filesystem;

namespace {

// Files above this are read per request instead of cached.
constexpr std::uintmax_t kMaxCachedFile = 8 * 1024 * 1024;
constexpr std::uintmax_t kMaxServedFile = 256 * 1024 * 1024;

constexpr std::string_view kPlaceholder =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    "<title>Festival Chat</title></head><body>"
    "<h1>Festival Chat</h1><p>The signaling server is running, but the web app is not built "
    "yet. Build it into <code>web/dist</code> (or point <code>--web-root</code> at it).</p>"
    "</body></html>\n";

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool compressible(std::string_view type) {
    return type.rfind("text/", 0) == 0 || type.find("javascript") != std::string_view::npos ||
           type.find("json") != std::string_view::npos ||
           type.find("svg") != std::string_view::npos ||
           type.find("wasm") != std::string_view::npos;
}

// Vite names built assets name-<hash>.ext: such a URL never changes content.
bool hashed_asset(std::string_view relative) {
    if (relative.rfind("assets/", 0) != 0)
        return false;
    const auto slash = relative.rfind('/');
    const auto name = relative.substr(slash + 1);
    const auto dot = name.find('.');
    const auto dash = name.rfind('-', dot);
    if (dot == std::string_view::npos || dash == std::string_view::npos || dash >= dot)
        return false;
    const auto hash = name.substr(dash + 1, dot - dash - 1);
    if (hash.size() < 8)
        return false;
    for (char c : hash)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    return true;
}

std::string make_etag(std::string_view body) {
    // FNV-1a 64: fast and stable; an ETag needs uniqueness, not secrecy.
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : body) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    char buf[48];
    std::snprintf(buf, sizeof buf, "\"%016llx-%llx\"", static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(body.size()));
    return buf;
}

bool etag_matches(std::string_view header, std::string_view etag) {
    while (!header.empty()) {
        const auto comma = header.find(',');
        auto item = trim(header.substr(0, comma));
        if (item.rfind("W/", 0) == 0)
            item.remove_prefix(2);
        if (item == "*" || item == etag)
            return true;
        if (comma == std::string_view::npos)
            break;
        header.remove_prefix(comma + 1);
    }
    return false;
}

Response plain(const Request& req, beast_http::status status, std::string_view text) {
    Response res{status, req.version()};
    res.set(beast_http::field::content_type, "text/plain; charset=utf-8");
    res.set(beast_http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = std::string(text);
    res.prepare_payload();
    return res;
}

} // namespace

std::string_view mime_type(std::string_view filename) {
    static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"webp", "image/webp"},
        {"ico", "image/x-icon"},
        {"json", "application/json; charset=utf-8"},
        {"map", "application/json; charset=utf-8"},
        {"webmanifest", "application/manifest+json; charset=utf-8"},
        {"wasm", "application/wasm"},
        {"txt", "text/plain; charset=utf-8"},
        {"woff2", "font/woff2"},
    };
    const auto dot = filename.rfind('.');
    const std::string ext = dot == std::string_view::npos ? "" : lower(filename.substr(dot + 1));
    for (const auto& [e, type] : kTypes)
        if (ext == e)
            return type;
    return "application/octet-stream";
}

std::optional<std::string> decode_path(std::string_view path) {
    std::string out;
    out.reserve(path.size());
    using base::hex_value;
    for (std::size_t i = 0; i < path.size(); ++i) {
        char c = path[i];
        if (c == '%') {
            if (i + 2 >= path.size())
                return std::nullopt;
            const int hi = hex_value(path[i + 1]);
            const int lo = hex_value(path[i + 2]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            c = static_cast<char>(hi * 16 + lo);
            if (c == '/' || c == '\\')
                return std::nullopt;
            i += 2;
        }
        if (c == '\0')
            return std::nullopt;
        out.push_back(c);
    }
    return out;
}

bool accepts_encoding(std::string_view header, std::string_view coding) {
    bool star = false;
    while (!header.empty()) {
        const auto comma = header.find(',');
        auto item = trim(header.substr(0, comma));
        std::string_view name = item;
        double q = 1.0;
        if (const auto semi = item.find(';'); semi != std::string_view::npos) {
            name = trim(item.substr(0, semi));
            auto param = trim(item.substr(semi + 1));
            if (param.rfind("q=", 0) == 0)
                q = std::atof(std::string(param.substr(2)).c_str());
        }
        if (lower(name) == coding)
            return q > 0;
        if (name == "*")
            star = q > 0;
        if (comma == std::string_view::npos)
            break;
        header.remove_prefix(comma + 1);
    }
    return star;
}

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {
    std::error_code ec;
    canonical_root_ = fs::canonical(root_, ec);
    if (ec)
        canonical_root_.clear();
}

fs::path StaticFiles::resolve(std::string_view relative) const {
    if (canonical_root_.empty())
        return {};
    // Segment by segment: no empty, "." or ".." segments, no backslashes.
    std::string_view rest = relative;
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto seg = rest.substr(0, slash);
        if (seg.empty() || seg == "." || seg == ".." || seg.find('\\') != std::string_view::npos)
            return {};
        if (slash == std::string_view::npos)
            break;
        rest.remove_prefix(slash + 1);
    }
    std::error_code ec;
    const fs::path file = fs::canonical(canonical_root_ / fs::path(std::string(relative)), ec);
    if (ec || !fs::is_regular_file(file, ec))
        return {};
    // Symlinks must not lead outside the root.
    const auto root = canonical_root_.native();
    const auto& f = file.native();
    if (f.size() <= root.size() || f.compare(0, root.size(), root) != 0 || f[root.size()] != '/')
        return {};
    return file;
}

std::shared_ptr<const StaticFiles::Entry> StaticFiles::load(const fs::path& file) const {
    std::error_code ec;
    const auto mtime = fs::last_write_time(file, ec);
    const auto size = ec ? 0 : fs::file_size(file, ec);
    if (ec || size > kMaxServedFile)
        return nullptr;
    if (auto it = cache_.find(file.native());
        it != cache_.end() && it->second->mtime == mtime && it->second->size == size)
        return it->second;
    std::ifstream in(file, std::ios::binary);
    auto entry = std::make_shared<Entry>();
    entry->body.resize(static_cast<std::size_t>(size));
    if (!in.read(entry->body.data(), static_cast<std::streamsize>(size)))
        return nullptr;
    entry->mtime = mtime;
    entry->size = size;
    entry->etag = make_etag(entry->body);
    if (size <= kMaxCachedFile)
        cache_[file.native()] = entry;
    return entry;
}

Response StaticFiles::serve(const Request& req, std::string_view target_path) const {
    if (req.method() != beast_http::verb::get && req.method() != beast_http::verb::head) {
        auto res = plain(req, beast_http::status::method_not_allowed, "Method not allowed\n");
        res.set(beast_http::field::allow, "GET, HEAD");
        return res;
    }
    auto decoded = decode_path(target_path);
    if (!decoded || decoded->empty() || decoded->front() != '/')
        return plain(req, beast_http::status::bad_request, "Bad path\n");

    std::string relative = decoded->substr(1);
    // The app's own routes: rooms (/r/<room>), no-server pairing (/direct)
    // and the HTTPS help (/help/https).
    const bool app_route = relative.empty() || relative.rfind("r/", 0) == 0 || relative == "r" ||
                           relative == "direct" || relative == "help/https";
    if (app_route)
        relative = "index.html";

    fs::path file = resolve(relative);
    if (file.empty()) {
        if (app_route) {
            // No web app built: say so instead of a bare 404.
            Response res{beast_http::status::ok, req.version()};
            res.set(beast_http::field::content_type, "text/html; charset=utf-8");
            res.set(beast_http::field::cache_control, "no-cache");
            res.keep_alive(req.keep_alive());
            res.body() = std::string(kPlaceholder);
            res.prepare_payload();
            return res;
        }
        return plain(req, beast_http::status::not_found, "Not found\n");
    }

    const std::string_view type = mime_type(relative);
    const bool may_compress = compressible(type);
    const auto accept = req[beast_http::field::accept_encoding];
    std::shared_ptr<const Entry> entry;
    std::string_view encoding;
    if (may_compress) {
        for (std::string_view coding : {"br", "gzip"}) {
            if (!accepts_encoding(accept, coding))
                continue;
            const fs::path sibling = resolve(relative + (coding == "br" ? ".br" : ".gz"));
            if (sibling.empty())
                continue;
            if ((entry = load(sibling))) {
                encoding = coding;
                break;
            }
        }
    }
    if (!entry)
        entry = load(file);
    if (!entry)
        return plain(req, beast_http::status::not_found, "Not found\n");

    Response res{beast_http::status::ok, req.version()};
    res.keep_alive(req.keep_alive());
    res.set(beast_http::field::content_type, type);
    res.set(beast_http::field::etag, entry->etag);
    res.set(beast_http::field::cache_control,
            hashed_asset(relative) ? "public, max-age=31536000, immutable" : "no-cache");
    if (may_compress)
        res.set(beast_http::field::vary, "Accept-Encoding");
    if (!encoding.empty())
        res.set(beast_http::field::content_encoding, encoding);
    if (etag_matches(req[beast_http::field::if_none_match], entry->etag)) {
        res.result(beast_http::status::not_modified);
        return res;
    }
    res.body() = entry->body;
    res.prepare_payload();
    return res;
}

} // namespace fc::http
