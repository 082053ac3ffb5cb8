// festival-chat-server: parses the configuration and runs the server.
// Exceptions mean start-up failure or a bug: logged, exit code 1.
#include "server/app/application.hpp"
#include "server/app/config.hpp"
#include "server/base/log.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <variant>

int main(int argc, char** argv) {
    auto parsed =
        fc::app::parse_config(argc, argv, [](const char* name) { return std::getenv(name); });
    if (auto* error = std::get_if<std::string>(&parsed)) {
        std::fprintf(stderr, "festival-chat-server: %s\n", error->c_str());
        return 2;
    }
    auto& p = std::get<fc::app::Parsed>(parsed);
    if (p.action == fc::app::Action::help) {
        std::fputs(fc::app::help_text().c_str(), stdout);
        return 0;
    }
    if (p.action == fc::app::Action::version) {
        std::printf("festival-chat-server %s\n", FC_VERSION);
        return 0;
    }
    fc::log::set_level(p.config.log_level);
    try {
        fc::app::Application app(std::move(p.config));
        app.run();
    } catch (const std::exception& e) {
        fc::log::error("fatal", {{"error", e.what()}});
        return 1;
    }
    fc::log::info("stopped");
    return 0;
}
