#include "server/socketio/packet.hpp"

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

bool shape_valid(const Packet& p) {
    switch (p.type) {
    case PacketType::connect:
        return p.data.empty() || p.json.is_object();
    case PacketType::disconnect:
        return p.data.empty();
    case PacketType::event:
    case PacketType::binary_event: {
        const auto* a = p.json.if_array();
        return a && !a->empty() && ((*a)[0].is_string() || (*a)[0].is_number());
    }
    case PacketType::ack:
    case PacketType::binary_ack:
        return p.json.is_array();
    case PacketType::connect_error:
        return p.json.is_object() || p.json.is_string();
    }
    return false;
}

} // namespace

bool is_binary(PacketType t) {
    return t == PacketType::binary_event || t == PacketType::binary_ack;
}

Result<Packet> decode(std::string_view text) {
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
    if (!p.data.empty()) {
        boost::system::error_code ec;
        p.json = json::parse(p.data, ec);
        if (ec)
            return DecodeError::bad_json;
    }
    if (!shape_valid(p))
        return DecodeError::bad_payload;
    if (is_binary(p.type) && !placeholders_valid(p.json, p.attachments))
        return DecodeError::bad_placeholder;
    return p;
}

engineio::FramePtr encode(PacketType type, std::string_view nsp, std::string_view data,
                          std::optional<std::uint64_t> id, std::size_t attachments) {
    auto frame = std::make_shared<engineio::Frame>();
    std::string& out = frame->bytes;
    out.reserve(32 + nsp.size() + data.size());
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
    out += data;
    return frame;
}

} // namespace fc::socketio
