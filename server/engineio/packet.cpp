#include "server/engineio/packet.hpp"

#include "server/engineio/base64.hpp"
#include "server/engineio/frame_pool.hpp"

namespace fc::engineio {

Result<Packet> decode_text_packet(std::string_view text) {
    if (text.empty())
        return DecodeError::empty_packet;
    const char t = text.front();
    if (t < '0' || t > '6')
        return DecodeError::unknown_packet_type;
    Packet p;
    p.type = static_cast<PacketType>(t);
    p.data = text.substr(1);
    return p;
}

Result<std::vector<Packet>> decode_payload(std::string_view body, size_t max_packets) {
    std::vector<Packet> packets;
    size_t start = 0;
    while (true) {
        if (packets.size() >= max_packets)
            return DecodeError::payload_too_large;
        const size_t end = body.find(kRecordSeparator, start);
        const std::string_view segment = body.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!segment.empty() && segment.front() == 'b') {
            auto bytes = base64_decode(segment.substr(1));
            if (!bytes)
                return DecodeError::bad_base64;
            Packet p;
            p.type = PacketType::message;
            p.binary = true;
            p.storage = std::move(*bytes);
            packets.push_back(std::move(p));
        } else {
            auto p = decode_text_packet(segment);
            if (!p)
                return p.error();
            packets.push_back(std::move(*p));
        }
        if (end == std::string_view::npos)
            break;
        start = end + 1;
    }
    // Binary packets own their bytes; point their views at them only now
    // that the vector will not reallocate any more.
    for (auto& p : packets)
        if (p.binary)
            p.data = p.storage;
    return packets;
}

FramePtr make_text_frame(PacketType type, std::string_view data) {
    auto f = FramePool::make(1 + data.size());
    f->bytes.push_back(static_cast<char>(type));
    f->bytes.append(data);
    return f;
}

FramePtr make_binary_frame(std::string bytes) {
    return std::make_shared<const Frame>(Frame{std::move(bytes), true});
}

void append_to_payload(std::string& body, const Frame& frame) {
    if (!body.empty())
        body.push_back(kRecordSeparator);
    if (frame.binary) {
        body.push_back('b');
        base64_append(body, frame.bytes);
    } else {
        body.append(frame.bytes);
    }
}

} // namespace fc::engineio
