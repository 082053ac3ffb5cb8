#include "server/websocket/utf8.hpp"

#include "server/base/byte_scan.hpp"

namespace fc::websocket {

bool valid_utf8(std::string_view text) {
    const char* p = text.data();
    const char* const end = p + text.size();
    // ASCII runs many bytes a step (the common case for JSON: a relayed
    // SDP is kilobytes of it), then one multi-byte sequence at a time.
    while ((p = base::first_non_ascii(p, end)) != end) {
        const std::size_t n = base::utf8_sequence(p, end);
        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

} // namespace fc::websocket
