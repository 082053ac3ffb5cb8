#include "server/socketio/packet.hpp"

#include "server/engineio/frame_pool.hpp"
#include "server/socketio/json_shape.hpp"

#include <boost/json/parse.hpp>

#include <charconv>

namespace fc::socketio {

namespace json = boost::json;

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// JavaScript clients see ids as Numbers: keep them exact there.
constexpr std::uint64_t kMaxAckId = (std::uint64_t{1} << 53) - 1;

bool placeholders_valid(const json::value& v, std::size_t attachments, int depth = 0) {
    if (depth > 64)
        return false;
    if (const auto* o = v.if_object()) {
        if (const auto* ph = o->if_contains("_placeholder");
            ph && ph->is_bool() && ph->get_bool()) {
            const auto* num = o->if_contains("num");
            if (!num)
                return false;
            if (num->is_uint64())
                return num->get_uint64() < attachments;
            if (num->is_int64())
                return num->get_int64() >= 0 &&
                       static_cast<std::uint64_t>(num->get_int64()) < attachments;
            return false;
        }
        for (const auto& kv : *o)
            if (!placeholders_valid(kv.value(), attachments, depth + 1))
                return false;
    } else if (const auto* a = v.if_array()) {
        for (const auto& e : *a)
            if (!placeholders_valid(e, attachments, depth + 1))
                return false;
    }
    return true;
}

bool is_number(json::kind k) {
    return k == json::kind::int64 || k == json::kind::uint64 || k == json::kind::double_;
}

bool shape_valid(PacketType type, bool has_data, const JsonShape& s) {
    switch (type) {
    case PacketType::connect:
        return !has_data || s.kind == json::kind::object;
    case PacketType::disconnect:
        return !has_data;
    case PacketType::event:
    case PacketType::binary_event:
        return s.kind == json::kind::array && s.size > 0 &&
               (s.first == json::kind::string || is_number(s.first));
    case PacketType::ack:
    case PacketType::binary_ack:
        return s.kind == json::kind::array;
    case PacketType::connect_error:
        return s.kind == json::kind::object || s.kind == json::kind::string;
    }
    return false;
}

} // namespace

bool is_binary(PacketType t) {
    return t == PacketType::binary_event || t == PacketType::binary_ack;
}

Result<Packet> decode(std::string_view text, JsonTree tree) {
    if (text.empty())
        return DecodeError::empty_packet;
    if (text[0] < '0' || text[0] > '6')
        return DecodeError::unknown_packet_type;
    Packet p;
    p.type = static_cast<PacketType>(text[0]);
    std::size_t i = 1;

    if (is_binary(p.type)) {
        const std::size_t start = i;
        while (i < text.size() && is_digit(text[i]) && i - start < 4)
            ++i;
        if (i == start || i >= text.size() || text[i] != '-')
            return DecodeError::bad_attachments;
        std::from_chars(text.data() + start, text.data() + i, p.attachments);
        if (p.attachments == 0 || p.attachments > kMaxAttachments)
            return DecodeError::bad_attachments;
        ++i;
    }

    if (i < text.size() && text[i] == '/') {
        const std::size_t comma = text.find(',', i);
        const std::size_t end = comma == std::string_view::npos ? text.size() : comma;
        p.nsp = text.substr(i, end - i);
        i = comma == std::string_view::npos ? text.size() : comma + 1;
    }

    if (i < text.size() && is_digit(text[i])) {
        const std::size_t start = i;
        while (i < text.size() && is_digit(text[i]))
            ++i;
        std::uint64_t id = 0;
        auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + i, id);
        if (ec != std::errc{} || id > kMaxAckId)
            return DecodeError::bad_ack_id;
        p.id = id;
    }

    p.data = text.substr(i);
    // (Not copied out of its result: an event's shape holds its argument's
    // members.)
    auto scanned = p.data.empty() ? boost::system::result<JsonShape>() : scan_json(p.data);
    if (!scanned)
        return DecodeError::bad_json;
    JsonShape& shape = *scanned;
    if (!shape_valid(p.type, !p.data.empty(), shape))
        return DecodeError::bad_payload;
    if (p.type == PacketType::event || p.type == PacketType::binary_event) {
        p.name = std::move(shape.first_string);
        p.arg = shape.arg;
    }
    if (!p.data.empty() && (tree == JsonTree::build || is_binary(p.type))) {
        boost::system::error_code ec;
        p.json = json::parse(p.data, ec);
        if (ec)
            return DecodeError::bad_json; // not reached: scan_json applies the same rules
    }
    if (is_binary(p.type) && !placeholders_valid(p.json, p.attachments))
        return DecodeError::bad_placeholder;
    return p;
}

engineio::FramePtr encode(PacketType type, std::string_view nsp, std::string_view data,
                          std::optional<std::uint64_t> id, std::size_t attachments) {
    return encode_pieces(type, nsp, std::span<const std::string_view>(&data, 1), id, attachments);
}

engineio::FramePtr encode_pieces(PacketType type, std::string_view nsp,
                                 std::span<const std::string_view> data_pieces,
                                 std::optional<std::uint64_t> id, std::size_t attachments) {
    std::size_t data_size = 0;
    for (std::string_view piece : data_pieces)
        data_size += piece.size();
    auto frame = engineio::FramePool::make(32 + nsp.size() + data_size);
    std::string& out = frame->bytes;
    out.push_back(static_cast<char>(engineio::PacketType::message));
    out.push_back(static_cast<char>(type));
    if (attachments > 0) {
        out += std::to_string(attachments);
        out.push_back('-');
    }
    if (nsp != "/") {
        out += nsp;
        out.push_back(',');
    }
    if (id)
        out += std::to_string(*id);
    for (std::string_view piece : data_pieces)
        out += piece;
    return frame;
}

} // namespace fc::socketio
