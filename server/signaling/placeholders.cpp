#include "server/signaling/placeholders.hpp"

#include "server/signaling/json_span.hpp"

#include <functional>
#include <string>
#include <vector>

namespace fc::signaling {

namespace {

// Deeper than any text socketio::decode lets through (Boost.JSON's 32).
constexpr int kMaxDepth = 64;
constexpr auto npos = std::string_view::npos;

std::size_t skip_ws(std::string_view t, std::size_t i) {
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        ++i;
    return i;
}

// A key as a parser sees it: escapes decoded (only when there are any).
bool key_is(std::string_view raw, std::string_view name) {
    if (raw.find('\\') == npos)
        return raw == name;
    const auto decoded = decode_string(raw);
    return decoded && *decoded == name;
}

// A plain non-negative integer literal, as socketio::decode accepted it
// (an int64 or uint64 in Boost.JSON's reading); nullopt for anything else.
std::optional<std::size_t> index_of(std::string_view text, std::size_t limit) {
    if (text.empty() || text.size() > 20)
        return std::nullopt;
    std::size_t n = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + static_cast<std::size_t>(c - '0');
        if (n >= limit)
            return std::nullopt;
    }
    return n;
}

class Walker {
public:
    Walker(std::string_view payload, std::size_t attachments)
        : payload_(payload), seen_(attachments, false) {}

    // `v` is exactly one value's text.
    bool value(std::string_view v, int depth) {
        if (v.empty() || depth > kMaxDepth)
            return false;
        if (v.front() == '{')
            return object(v, depth);
        if (v.front() == '[')
            return array(v, depth);
        return true;
    }

    bool all_seen() const {
        for (bool s : seen_)
            if (!s)
                return false;
        return true;
    }

private:
    bool inside_payload(std::string_view v) const {
        const std::less_equal<const char*> le;
        return le(payload_.data(), v.data()) &&
               le(v.data() + v.size(), payload_.data() + payload_.size());
    }

    bool object(std::string_view v, int depth) {
        // A placeholder is an object whose `_placeholder` is true (as the
        // socket.io parsers read it); its other members are never looked
        // into, since the receiver puts the binary in its place.
        int flags = 0, nums = 0;
        std::string_view flag, num;
        MemberReader members(v);
        while (const auto m = members.next()) {
            if (key_is(m->key, "_placeholder")) {
                ++flags;
                flag = m->value;
            } else if (key_is(m->key, "num")) {
                ++nums;
                num = m->value;
            }
        }
        if (!members.ok() || flags > 1)
            return false;
        if (flags == 1 && flag == "true") {
            if (nums != 1 || !inside_payload(v))
                return false;
            const auto n = index_of(num, seen_.size());
            if (!n || seen_[*n])
                return false;
            seen_[*n] = true;
            return true;
        }
        MemberReader again(v);
        while (const auto m = again.next())
            if (!value(m->value, depth + 1))
                return false;
        return again.ok();
    }

    bool array(std::string_view v, int depth) {
        std::size_t i = skip_ws(v, 1);
        if (i < v.size() && v[i] == ']')
            return true;
        while (i < v.size()) {
            const std::size_t end = skip_value(v, i);
            if (end == npos || !value(v.substr(i, end - i), depth + 1))
                return false;
            i = skip_ws(v, end);
            if (i < v.size() && v[i] == ']')
                return true;
            if (i >= v.size() || v[i] != ',')
                return false;
            i = skip_ws(v, i + 1);
        }
        return false;
    }

    std::string_view payload_;
    std::vector<bool> seen_;
};

} // namespace

bool placeholders_in_payload(std::string_view event, std::string_view payload,
                             std::size_t attachments) {
    if (attachments == 0)
        return true;
    const std::size_t start = skip_ws(event, 0);
    const std::size_t end = skip_value(event, start);
    if (end == npos)
        return false;
    Walker walker(payload, attachments);
    return walker.value(event.substr(start, end - start), 0) && walker.all_seen();
}

} // namespace fc::signaling
