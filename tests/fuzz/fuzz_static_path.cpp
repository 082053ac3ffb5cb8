// URL paths for the static file server: decoding and Accept-Encoding
// parsing, any bytes, no crash; a decoded path never holds NUL or an
// encoded separator.
#include "server/http/static_files.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto p = fc::http::decode_path(text)) {
        if (p->find('\0') != std::string::npos)
            std::abort();
    }
    (void)fc::http::accepts_encoding(text, "br");
    (void)fc::http::mime_type(text);
    return 0;
}
