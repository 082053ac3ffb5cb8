#include "server/protocol_test/engine_echo.hpp"

#include <string>

namespace fc::protocol_test {

void EngineEcho::on_message(std::string_view data, bool binary) {
    session_.send(binary ? engineio::make_binary_frame(std::string(data))
                         : engineio::make_text_frame(engineio::PacketType::message, data));
}

} // namespace fc::protocol_test
