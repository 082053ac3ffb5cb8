#include "server/socketio/json_scanner.hpp"

#include "server/base/byte_scan.hpp"
#include "server/base/hex.hpp"

#include <cstring>

namespace fc::socketio {

namespace {

// boost::json::parse_options{}.max_depth: the 33rd nested container is
// refused.
constexpr int kMaxDepth = 32;

// Boost.JSON refuses an exponent beyond INT_MAX, and one that would push
// the decimal point past INT_MAX digits; with at most 9 exponent digits and
// a text shorter than this, neither can happen, so longer exponents and
// texts are left to Boost.JSON.
constexpr std::size_t kMaxExponentDigits = 9;
constexpr std::size_t kMaxText = std::size_t{1} << 30;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Recursive descent over a pointer kept in a register: each reader takes
// its value's first byte and returns the byte just past it, or null
// (invalid, or for Boost.JSON to judge). Depth is bounded by kMaxDepth,
// so is the recursion.
class Scanner {
public:
    explicit Scanner(std::string_view text) : begin_(text.data()), end_(text.data() + text.size()) {}

    bool event(JsonShape& shape) const;

private:
    const char* skip_ws(const char* p) const {
        while (p < end_ && static_cast<unsigned char>(*p) <= ' ' &&
               (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            ++p;
        return p;
    }
    const char* value(const char* p, int depth) const;
    const char* array(const char* p, int depth) const;
    const char* object(const char* p, int depth, ArgMembers* record) const;
    const char* string(const char* p, bool& escaped) const;
    const char* escape(const char* p) const;
    const char* utf8(const char* p) const;
    const char* number(const char* p) const;
    const char* literal(const char* p, std::string_view word) const;
    const char* next_special(const char* p) const;

    const char* const begin_;
    const char* const end_;
};

bool Scanner::event(JsonShape& shape) const {
    const char* p = skip_ws(begin_);
    if (p == end_ || *p != '[')
        return false;
    p = skip_ws(p + 1);
    // Element 0, the event's name: a string with no escapes (else Boost.JSON
    // decodes it).
    if (p == end_ || *p != '"')
        return false;
    const char* const name = p + 1;
    bool escaped = false;
    p = string(p, escaped);
    if (!p || escaped)
        return false;
    const std::string_view name_text(name, static_cast<std::size_t>(p - 1 - name));
    std::size_t size = 1;
    for (;;) {
        p = skip_ws(p);
        if (p == end_)
            return false;
        if (*p == ']')
            break;
        if (*p != ',')
            return false;
        p = skip_ws(p + 1);
        if (size == 1 && p < end_ && *p == '{')
            p = object(p, 2, &shape.arg);
        else
            p = value(p, 1);
        if (!p)
            return false;
        ++size;
    }
    if (skip_ws(p + 1) != end_)
        return false; // what follows the value: Boost.JSON's extra_data
    shape.kind = boost::json::kind::array;
    shape.size = size;
    shape.first = boost::json::kind::string;
    shape.first_string.assign(name_text);
    return true;
}

const char* Scanner::value(const char* p, int depth) const {
    if (p == end_)
        return nullptr;
    switch (*p) {
    case '"': {
        bool escaped = false;
        return string(p, escaped);
    }
    case '[':
        return array(p, depth + 1);
    case '{':
        return object(p, depth + 1, nullptr);
    case 't':
        return literal(p, "true");
    case 'f':
        return literal(p, "false");
    case 'n':
        return literal(p, "null");
    default:
        return number(p);
    }
}

const char* Scanner::array(const char* p, int depth) const {
    if (depth > kMaxDepth)
        return nullptr;
    p = skip_ws(p + 1);
    if (p < end_ && *p == ']')
        return p + 1;
    for (;;) {
        p = value(p, depth);
        if (!p)
            return nullptr;
        p = skip_ws(p);
        if (p == end_)
            return nullptr;
        if (*p == ']')
            return p + 1;
        if (*p != ',')
            return nullptr;
        p = skip_ws(p + 1);
    }
}

// `record`, when given, notes each member's key and value text.
const char* Scanner::object(const char* p, int depth, ArgMembers* record) const {
    if (depth > kMaxDepth)
        return nullptr;
    p = skip_ws(p + 1);
    std::size_t count = 0;
    if (p < end_ && *p == '}') {
        ++p;
    } else {
        for (;;) {
            if (p == end_ || *p != '"')
                return nullptr;
            const char* const key = p + 1;
            bool escaped = false;
            p = string(p, escaped);
            if (!p)
                return nullptr;
            const char* const key_end = p - 1;
            p = skip_ws(p);
            if (p == end_ || *p != ':')
                return nullptr;
            const char* const start = skip_ws(p + 1);
            p = value(start, depth);
            if (!p)
                return nullptr;
            if (record && count < ArgMembers::kMax)
                record->items[count] = {
                    std::string_view(key, static_cast<std::size_t>(key_end - key)),
                    std::string_view(start, static_cast<std::size_t>(p - start))};
            ++count;
            p = skip_ws(p);
            if (p == end_)
                return nullptr;
            if (*p == '}') {
                ++p;
                break;
            }
            if (*p != ',')
                return nullptr;
            p = skip_ws(p + 1);
        }
    }
    if (record && count <= ArgMembers::kMax) {
        record->known = true;
        record->count = count;
    }
    return p;
}

// The first byte at or after `p` that a string cannot simply contain: a
// quote, a backslash, a control character or a non-ASCII byte.
const char* Scanner::next_special(const char* p) const {
    return base::first_json_special(p, end_);
}

// `p` at the opening quote.
const char* Scanner::string(const char* p, bool& escaped) const {
    ++p;
    for (;;) {
        p = next_special(p);
        if (p == end_)
            return nullptr;
        const auto c = static_cast<unsigned char>(*p);
        if (c == '"')
            return p + 1;
        if (c == '\\') {
            escaped = true;
            p = escape(p + 1);
        } else if (c < 0x20) {
            return nullptr;
        } else {
            p = utf8(p);
        }
        if (!p)
            return nullptr;
    }
}

// `p` just after a backslash.
const char* Scanner::escape(const char* p) const {
    if (p == end_)
        return nullptr;
    switch (*p) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        return p + 1;
    case 'u': {
        if (end_ - p < 5)
            return nullptr;
        int code = 0;
        for (int i = 1; i <= 4; ++i) {
            const int h = base::hex_value(p[i]);
            if (h < 0)
                return nullptr;
            code = code * 16 + h;
        }
        // Surrogates must pair up (Boost.JSON's rules): left to it.
        if (code >= 0xD800 && code <= 0xDFFF)
            return nullptr;
        return p + 5;
    }
    default:
        return nullptr;
    }
}

// `p` at a byte from 0x80 up: one well-formed UTF-8 sequence.
const char* Scanner::utf8(const char* p) const {
    const std::size_t n = base::utf8_sequence(p, end_);
    return n == 0 ? nullptr : p + n;
}

const char* Scanner::number(const char* p) const {
    if (p < end_ && *p == '-')
        ++p;
    if (p == end_ || !is_digit(*p))
        return nullptr;
    if (*p == '0')
        ++p; // no leading zeros: what follows is not part of the number
    else
        while (p < end_ && is_digit(*p))
            ++p;
    if (p < end_ && *p == '.') {
        ++p;
        if (p == end_ || !is_digit(*p))
            return nullptr;
        while (p < end_ && is_digit(*p))
            ++p;
    }
    if (p < end_ && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p < end_ && (*p == '+' || *p == '-'))
            ++p;
        const char* const digits = p;
        while (p < end_ && is_digit(*p))
            ++p;
        const auto n = static_cast<std::size_t>(p - digits);
        if (n == 0 || n > kMaxExponentDigits)
            return nullptr;
    }
    return p;
}

const char* Scanner::literal(const char* p, std::string_view word) const {
    if (static_cast<std::size_t>(end_ - p) < word.size() ||
        std::memcmp(p, word.data(), word.size()) != 0)
        return nullptr;
    return p + word.size();
}

} // namespace

bool scan_event_json(std::string_view text, JsonShape& shape) {
    return text.size() < kMaxText && Scanner(text).event(shape);
}

} // namespace fc::socketio
