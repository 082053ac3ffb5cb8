#include "server/protocol_test/suite_mode.hpp"

#include "server/engineio/server.hpp"
#include "server/protocol_test/engine_echo.hpp"
#include "server/socketio/server.hpp"

namespace fc::protocol_test {

void apply_suite_settings(app::Config& config) {
    config.engine.ping_interval = std::chrono::milliseconds(300);
    config.engine.ping_timeout = std::chrono::milliseconds(200);
    config.engine.max_payload = 1'000'000;
    config.socketio.connect_timeout = std::chrono::milliseconds(1000);
    // A packet's attachments together may be as large as one message.
    config.socketio.max_attachment_bytes = config.engine.max_payload;
}

std::unique_ptr<engineio::Server> SuiteMode::wire(socketio::Server& io,
                                                  boost::asio::io_context& ioc,
                                                  const app::Config& config) {
    io.add_namespace("/", main_);
    io.add_namespace("/custom", custom_);
    return std::make_unique<engineio::Server>(
        ioc.get_executor(), config.engine, [](engineio::Session& s) {
            s.set_handler(std::make_unique<EngineEcho>(s));
        });
}

} // namespace fc::protocol_test
