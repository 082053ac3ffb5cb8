// Engine.IO request queries: any text, no crash.
#include "server/engineio/query.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto q = fc::engineio::parse_query(text))
        (void)fc::engineio::check_query(*q);
    return 0;
}
