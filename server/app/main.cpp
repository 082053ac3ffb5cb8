// festival-chat-server: parses the configuration and runs the server.
// Exceptions mean start-up failure or a bug: logged, exit code 1.
// --protocol-test-mode (how the official protocol suites' instructions
// start a server) hands over to festival-chat-protocol-test beside this
// binary: the suites' echo endpoints are not linked into this one.
#include "server/app/application.hpp"
#include "server/app/config.hpp"
#include "server/app/workers.hpp"
#include "server/base/log.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <unistd.h>
#include <variant>

namespace {

[[noreturn]] void hand_over_to_protocol_test(char** argv) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const auto other = (ec ? std::filesystem::path(argv[0]) : self).parent_path() /
                       "festival-chat-protocol-test";
    ::execv(other.c_str(), argv);
    std::fprintf(stderr,
                 "festival-chat-server: --protocol-test-mode runs %s, which could not be "
                 "started (%s); build it with the festival-chat-protocol-test target\n",
                 other.c_str(), std::strerror(errno));
    std::exit(2);
}

} // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]) == "--protocol-test-mode")
            hand_over_to_protocol_test(argv);
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
    if (p.config.workers > 1) {
        try {
            return fc::app::run_workers(std::move(p.config));
        } catch (const std::exception& e) {
            fc::log::error("fatal", {{"error", e.what()}});
            return 1;
        }
    }
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
