// Socket.IO packets: any text, no crash; a decoded packet re-encodes to
// the same text.
#include "server/socketio/packet.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto p = fc::socketio::decode(text);
    if (!p)
        return 0;
    auto frame = fc::socketio::encode(p->type, p->nsp, p->data, p->id, p->attachments);
    auto again = fc::socketio::decode(std::string_view(frame->bytes).substr(1));
    if (!again || again->type != p->type || again->nsp != p->nsp || again->id != p->id ||
        again->data != p->data || again->attachments != p->attachments)
        std::abort();
    return 0;
}
