// Engine.IO packets and polling payloads: any bytes, no crash; what
// decodes re-encodes to a payload that decodes to the same packets.
#include "server/engineio/packet.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)fc::engineio::decode_text_packet(text);
    auto packets = fc::engineio::decode_payload(text, 1024);
    if (!packets)
        return 0;
    std::string body;
    for (const auto& p : *packets) {
        const auto frame = p.binary ? fc::engineio::make_binary_frame(std::string(p.data))
                                    : fc::engineio::make_text_frame(p.type, p.data);
        fc::engineio::append_to_payload(body, *frame);
    }
    auto again = fc::engineio::decode_payload(body, 1024);
    if (!again || again->size() != packets->size())
        std::abort();
    for (std::size_t i = 0; i < packets->size(); ++i)
        if ((*again)[i].data != (*packets)[i].data || (*again)[i].type != (*packets)[i].type)
            std::abort();
    return 0;
}
