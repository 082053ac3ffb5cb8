// Identifier checks of the rooms contract: any bytes, no crash.
#include "server/rooms/ids.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)fc::rooms::valid_room_id(text);
    (void)fc::rooms::valid_client_id(text);
    (void)fc::rooms::valid_display_name(text);
    return 0;
}
