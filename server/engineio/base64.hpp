// Standard base64 (RFC 4648 section 4, with padding), used by polling for
// binary packets ("b" + base64). Backed by OpenSSL's EVP block coder.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fc::engineio {

void base64_append(std::string& out, std::string_view bytes);
// Strict decode: length a multiple of 4, only the alphabet and trailing '='.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace fc::engineio
