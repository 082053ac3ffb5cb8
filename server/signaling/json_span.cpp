#include "server/signaling/json_span.hpp"

#include <boost/json/parse.hpp>

#include <cstring>

namespace fc::signaling {

namespace {
constexpr auto npos = std::string_view::npos;

std::size_t skip_ws(std::string_view t, std::size_t i) {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        ++i;
    return i;
}

// `i` at the opening quote; returns the index after the closing quote.
// Jumps from quote to quote with memchr (the hot path: relayed SDP and
// candidates are mostly long strings); a quote preceded by an odd run of
// backslashes is escaped and skipped.
std::size_t skip_string(std::string_view t, std::size_t i) {
    const char* const begin = t.data();
    const char* const end = begin + t.size();
    const char* p = begin + i + 1;
    while (p < end) {
        const auto* q = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
        if (!q)
            return npos;
        std::size_t slashes = 0;
        for (const char* b = q; b > begin + i + 1 && b[-1] == '\\'; --b)
            ++slashes;
        if (slashes % 2 == 0)
            return static_cast<std::size_t>(q - begin) + 1;
        p = q + 1;
    }
    return npos;
}
} // namespace

std::size_t skip_value(std::string_view t, std::size_t i) {
    i = skip_ws(t, i);
    if (i >= t.size())
        return npos;
    const char c = t[i];
    if (c == '"')
        return skip_string(t, i);
    if (c == '[' || c == '{') {
        int depth = 0;
        while (i < t.size()) {
            const char d = t[i];
            if (d == '"') {
                i = skip_string(t, i);
                if (i == npos)
                    return npos;
                continue;
            }
            if (d == '[' || d == '{')
                ++depth;
            else if ((d == ']' || d == '}') && --depth == 0)
                return i + 1;
            ++i;
        }
        return npos;
    }
    // number, true, false, null
    const std::size_t start = i;
    while (i < t.size() && t[i] != ',' && t[i] != ']' && t[i] != '}' && t[i] != ' ' &&
           t[i] != '\t' && t[i] != '\n' && t[i] != '\r')
        ++i;
    return i > start ? i : npos;
}

std::optional<std::string_view> from_element(std::string_view t, std::size_t index) {
    std::size_t i = skip_ws(t, 0);
    if (i >= t.size() || t[i] != '[')
        return std::nullopt;
    i = skip_ws(t, i + 1);
    if (i >= t.size() || t[i] == ']')
        return std::nullopt;
    for (std::size_t n = 0; n < index; ++n) {
        i = skip_ws(t, skip_value(t, i));
        if (i >= t.size() || t[i] != ',')
            return std::nullopt;
        i = skip_ws(t, i + 1);
    }
    if (i >= t.size())
        return std::nullopt;
    return t.substr(i);
}

std::optional<std::string> decode_string(std::string_view raw) {
    std::string quoted;
    quoted.reserve(raw.size() + 2);
    quoted += '"';
    quoted += raw;
    quoted += '"';
    boost::system::error_code ec;
    const auto v = boost::json::parse(quoted, ec);
    if (ec || !v.is_string())
        return std::nullopt;
    return std::string(v.get_string());
}

MemberReader::MemberReader(std::string_view text) : text_(text) {
    pos_ = skip_ws(text_, 0);
    if (pos_ >= text_.size() || text_[pos_] != '{') {
        fail();
        return;
    }
    pos_ = skip_ws(text_, pos_ + 1);
    done_ = pos_ < text_.size() && text_[pos_] == '}';
}

std::optional<MemberReader::Member> MemberReader::next() {
    if (done_)
        return std::nullopt;
    const std::string_view t = text_;
    std::size_t i = skip_ws(t, pos_);
    if (i >= t.size() || t[i] != '"')
        return fail();
    const std::size_t key_end = skip_string(t, i);
    if (key_end == npos)
        return fail();
    const std::string_view key = t.substr(i + 1, key_end - i - 2);
    i = skip_ws(t, key_end);
    if (i >= t.size() || t[i] != ':')
        return fail();
    const std::size_t start = skip_ws(t, i + 1);
    const std::size_t end = skip_value(t, start);
    if (end == npos)
        return fail();
    i = skip_ws(t, end);
    if (i >= t.size() || (t[i] != ',' && t[i] != '}'))
        return fail();
    done_ = t[i] == '}';
    pos_ = i + 1;
    return Member{key, t.substr(start, end - start)};
}

std::nullopt_t MemberReader::fail() {
    ok_ = false;
    done_ = true;
    return std::nullopt;
}

} // namespace fc::signaling
