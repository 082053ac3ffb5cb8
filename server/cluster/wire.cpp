#include "server/cluster/wire.hpp"

#include <charconv>
#include <limits>

namespace fc::cluster {

namespace {

// A field is a netstring: decimal length, ':', the bytes, ','.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}

    bool field(std::string_view& out) {
        std::size_t len = 0;
        const char* p = in_.data();
        const char* end = in_.data() + in_.size();
        auto [q, ec] = std::from_chars(p, end, len);
        // from_chars takes no sign and no spaces; a leading zero on a
        // longer number is refused so one message has one encoding.
        if (ec != std::errc{} || q == end || *q != ':' || (q - p > 1 && *p == '0'))
            return false;
        const std::size_t head = static_cast<std::size_t>(q - p) + 1;
        if (len > in_.size() - head || in_.size() - head - len < 1 || in_[head + len] != ',')
            return false;
        out = in_.substr(head, len);
        in_.remove_prefix(head + len + 1);
        return true;
    }
    bool text(std::string& out) {
        std::string_view v;
        if (!field(v))
            return false;
        out.assign(v);
        return true;
    }
    template <class Int> bool number(Int& out) {
        std::string_view v;
        if (!field(v) || v.empty())
            return false;
        // Canonical only: no leading zeros, no "-0".
        const std::string_view digits = v[0] == '-' ? v.substr(1) : v;
        if (digits.empty() || (digits.size() > 1 && digits[0] == '0') || v == "-0")
            return false;
        auto [q, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
        return ec == std::errc{} && q == v.data() + v.size();
    }
    bool done() const { return in_.empty(); }

private:
    std::string_view in_;
};

std::optional<rooms::LeaveReason> reason_from(std::string_view s) {
    if (s == "left")
        return rooms::LeaveReason::left;
    if (s == "disconnected")
        return rooms::LeaveReason::disconnected;
    if (s == "replaced")
        return rooms::LeaveReason::replaced;
    return std::nullopt;
}

void append_number(std::string& out, std::uint64_t n) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, n);
    append_field(out, std::string_view(buf, static_cast<std::size_t>(p - buf)));
}
void append_number(std::string& out, std::int64_t n) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, n);
    append_field(out, std::string_view(buf, static_cast<std::size_t>(p - buf)));
}

using Decoded = boost::system::result<Message, DecodeError>;

// J: rid version peer client name node conn joined token
Decoded decode_joined(Reader& r) {
    JoinedMsg m;
    auto& w = m.who;
    if (!r.text(m.rid) || !r.number(m.version) || !r.text(w.peer_id) || !r.text(w.client_id) ||
        !r.text(w.display_name) || !r.text(w.node) || !r.number(w.conn) ||
        !r.number(w.joined_ms) || !r.text(w.token))
        return DecodeError::bad_field;
    return Message(std::move(m));
}

// L: rid version peer reason
Decoded decode_left(Reader& r) {
    LeftMsg m;
    std::string_view reason;
    if (!r.text(m.rid) || !r.number(m.version) || !r.text(m.peer_id) || !r.field(reason))
        return DecodeError::bad_field;
    auto why = reason_from(reason);
    if (!why)
        return DecodeError::bad_reason;
    m.reason = *why;
    return Message(std::move(m));
}

// R: rid version conn peer
Decoded decode_replaced(Reader& r) {
    ReplacedMsg m;
    if (!r.text(m.rid) || !r.number(m.version) || !r.number(m.conn) || !r.text(m.peer_id))
        return DecodeError::bad_field;
    return Message(std::move(m));
}

// S: conn peer event count attachment...
Decoded decode_signal(Reader& r) {
    SignalMsg m;
    std::size_t count = 0;
    if (!r.number(m.conn) || !r.text(m.peer_id) || !r.text(m.event_json) || !r.number(count))
        return DecodeError::bad_field;
    if (count > kMaxAttachments)
        return DecodeError::too_many;
    m.attachments.resize(count);
    for (auto& a : m.attachments)
        if (!r.text(a))
            return DecodeError::bad_field;
    return Message(std::move(m));
}

// Q: rid reply_to request
Decoded decode_query(Reader& r) {
    QueryMsg m;
    if (!r.text(m.rid) || !r.text(m.reply_to) || !r.number(m.request))
        return DecodeError::bad_field;
    return Message(std::move(m));
}

// I: rid request count (peer name)...
Decoded decode_intro(Reader& r) {
    IntroMsg m;
    std::size_t count = 0;
    if (!r.text(m.rid) || !r.number(m.request) || !r.number(count))
        return DecodeError::bad_field;
    if (count > kMaxIntroMembers)
        return DecodeError::too_many;
    for (std::size_t i = 0; i < count; ++i) {
        WireMember w;
        if (!r.text(w.peer_id) || !r.text(w.display_name))
            return DecodeError::bad_field;
        m.members.push_back(std::move(w));
    }
    return Message(std::move(m));
}

} // namespace

std::string_view to_string(DecodeError e) {
    switch (e) {
    case DecodeError::empty:
        return "empty message";
    case DecodeError::unknown_kind:
        return "unknown message kind";
    case DecodeError::bad_field:
        return "malformed field";
    case DecodeError::bad_reason:
        return "unknown leave reason";
    case DecodeError::too_many:
        return "too many items";
    case DecodeError::trailing:
        return "bytes after the last field";
    }
    return "unknown";
}

void append_field(std::string& out, std::string_view field) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, field.size());
    out.append(buf, p);
    out.push_back(':');
    out.append(field);
    out.push_back(',');
}

std::string encode_signal(std::uint64_t conn, std::string_view peer_id, std::string_view event_json,
                          std::span<const std::string> attachments) {
    std::string out;
    std::size_t size = 64 + peer_id.size() + event_json.size();
    for (const auto& a : attachments)
        size += a.size() + 12;
    out.reserve(size);
    out.push_back('S');
    append_number(out, conn);
    append_field(out, peer_id);
    append_field(out, event_json);
    append_number(out, static_cast<std::uint64_t>(attachments.size()));
    for (const auto& a : attachments)
        append_field(out, a);
    return out;
}

std::string encode(const Message& message) {
    std::string out;
    std::visit(
        [&](const auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, JoinedMsg>) {
                out.push_back('J');
                append_field(out, m.rid);
                append_number(out, m.version);
                append_field(out, m.who.peer_id);
                append_field(out, m.who.client_id);
                append_field(out, m.who.display_name);
                append_field(out, m.who.node);
                append_number(out, m.who.conn);
                append_number(out, m.who.joined_ms);
                append_field(out, m.who.token);
            } else if constexpr (std::is_same_v<T, LeftMsg>) {
                out.push_back('L');
                append_field(out, m.rid);
                append_number(out, m.version);
                append_field(out, m.peer_id);
                append_field(out, rooms::to_string(m.reason));
            } else if constexpr (std::is_same_v<T, ReplacedMsg>) {
                out.push_back('R');
                append_field(out, m.rid);
                append_number(out, m.version);
                append_number(out, m.conn);
                append_field(out, m.peer_id);
            } else if constexpr (std::is_same_v<T, SignalMsg>) {
                out = encode_signal(m.conn, m.peer_id, m.event_json, m.attachments);
            } else if constexpr (std::is_same_v<T, QueryMsg>) {
                out.push_back('Q');
                append_field(out, m.rid);
                append_field(out, m.reply_to);
                append_number(out, m.request);
            } else {
                out.push_back('I');
                append_field(out, m.rid);
                append_number(out, m.request);
                append_number(out, static_cast<std::uint64_t>(m.members.size()));
                for (const auto& w : m.members) {
                    append_field(out, w.peer_id);
                    append_field(out, w.display_name);
                }
            }
        },
        message);
    return out;
}

boost::system::result<Message, DecodeError> decode(std::string_view bytes) {
    if (bytes.empty())
        return DecodeError::empty;
    Reader r(bytes.substr(1));
    Decoded d = DecodeError::unknown_kind;
    switch (bytes[0]) {
    case 'J':
        d = decode_joined(r);
        break;
    case 'L':
        d = decode_left(r);
        break;
    case 'R':
        d = decode_replaced(r);
        break;
    case 'S':
        d = decode_signal(r);
        break;
    case 'Q':
        d = decode_query(r);
        break;
    case 'I':
        d = decode_intro(r);
        break;
    default:
        return DecodeError::unknown_kind;
    }
    if (d && !r.done())
        return DecodeError::trailing;
    return d;
}

} // namespace fc::cluster
