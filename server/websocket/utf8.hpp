// UTF-8 validation as RFC 3629 defines it (no overlongs, no surrogates,
// nothing above U+10FFFF): text WebSocket messages and close reasons must
// be valid, or the connection fails with close code 1007.
#pragma once

#include <string_view>

namespace fc::websocket {

bool valid_utf8(std::string_view text);

} // namespace fc::websocket
