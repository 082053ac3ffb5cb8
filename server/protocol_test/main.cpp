// festival-chat-protocol-test: the server as the official Socket.IO /
// Engine.IO protocol suites expect it (docs/protocol-tests.md), built
// apart so that the production binary holds none of it. Takes the same
// flags as festival-chat-server; --protocol-test-mode, which once chose
// this behaviour inside the production binary, is accepted and ignored.
#include "server/app/application.hpp"
#include "server/app/config.hpp"
#include "server/base/log.hpp"
#include "server/protocol_test/suite_mode.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>
#include <variant>
#include <vector>

int main(int argc, char** argv) {
    std::vector<const char*> args;
    for (int i = 0; i < argc; ++i)
        if (i == 0 || std::string_view(argv[i]) != "--protocol-test-mode")
            args.push_back(argv[i]);
    auto parsed = fc::app::parse_config(static_cast<int>(args.size()), args.data(),
                                        [](const char* name) { return std::getenv(name); });
    if (auto* error = std::get_if<std::string>(&parsed)) {
        std::fprintf(stderr, "festival-chat-protocol-test: %s\n", error->c_str());
        return 2;
    }
    auto& p = std::get<fc::app::Parsed>(parsed);
    if (p.action == fc::app::Action::help) {
        std::fputs(fc::app::help_text().c_str(), stdout);
        return 0;
    }
    if (p.action == fc::app::Action::version) {
        std::printf("festival-chat-protocol-test %s\n", FC_VERSION);
        return 0;
    }
    fc::protocol_test::apply_suite_settings(p.config);
    fc::log::set_level(p.config.log_level);
    try {
        fc::protocol_test::SuiteMode mode;
        fc::app::Application app(std::move(p.config), &mode);
        app.run();
    } catch (const std::exception& e) {
        fc::log::error("fatal", {{"error", e.what()}});
        return 1;
    }
    fc::log::info("stopped");
    return 0;
}
