#include "server/app/config.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace fc::app;

namespace {
std::map<std::string, std::string> g_env;
const char* env(const char* name) {
    auto it = g_env.find(name);
    return it == g_env.end() ? nullptr : it->second.c_str();
}
std::variant<Parsed, std::string> parse(std::vector<const char*> args,
                                        std::map<std::string, std::string> e = {}) {
    g_env = std::move(e);
    args.insert(args.begin(), "festival-chat-server");
    return parse_config(static_cast<int>(args.size()), args.data(), env);
}
Config config(std::vector<const char*> args, std::map<std::string, std::string> e = {}) {
    auto r = parse(std::move(args), std::move(e));
    EXPECT_TRUE(std::holds_alternative<Parsed>(r)) << std::get<std::string>(r);
    return std::get<Parsed>(r).config;
}
std::string error(std::vector<const char*> args, std::map<std::string, std::string> e = {}) {
    auto r = parse(std::move(args), std::move(e));
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
}
} // namespace

TEST(Config, DefaultsServeAFestivalLan) {
    const auto c = config({});
    EXPECT_EQ(c.host, "0.0.0.0");
    EXPECT_EQ(c.port, 3000);
    EXPECT_EQ(c.engine.ping_interval.count(), 25000);
    EXPECT_EQ(c.engine.ping_timeout.count(), 60000);
    EXPECT_EQ(c.limits.max_room_size, 64u);
    EXPECT_EQ(c.ice.stun_urls.size(), 2u);
    EXPECT_TRUE(c.ice.turn_secret.empty());
}

TEST(Config, FlagsWinOverEnvironment) {
    const auto c = config({"--port", "4000", "--host=127.0.0.1"},
                          {{"FC_PORT", "5000"}, {"FC_ROOM_SIZE", "8"}});
    EXPECT_EQ(c.port, 4000);
    EXPECT_EQ(c.host, "127.0.0.1");
    EXPECT_EQ(c.limits.max_room_size, 8u);
}

TEST(Config, ListsSplitOnCommas) {
    const auto c =
        config({"--stun-urls", "stun:a:1, stun:b:2", "--cors-origin", "https://x,https://y"});
    EXPECT_EQ(c.ice.stun_urls, (std::vector<std::string>{"stun:a:1", "stun:b:2"}));
    EXPECT_EQ(c.cors_origins.size(), 2u);
    EXPECT_TRUE(config({"--stun-urls", "none"}).ice.stun_urls.empty());
}

TEST(Config, BadValuesNameTheSetting) {
    EXPECT_NE(error({"--port=abc"}).find("--port"), std::string::npos);
    EXPECT_NE(error({"--port", "70000"}).find("--port"), std::string::npos);
    EXPECT_NE(error({}, {{"FC_PORT", "x"}}).find("FC_PORT"), std::string::npos);
    EXPECT_NE(error({"--port"}).find("needs a value"), std::string::npos);
    EXPECT_NE(error({"--nope"}).find("unknown option"), std::string::npos);
    EXPECT_NE(error({"--tls-cert", "c.pem"}).find("--tls-key"), std::string::npos);
    EXPECT_NE(error({"--turn-secret", "s"}).find("--turn-urls"), std::string::npos);
    EXPECT_NE(error({"--room-size", "0"}).find("--room-size"), std::string::npos);
}

TEST(Config, TheProductionServerHasNoProtocolTestMode) {
    // It moved to its own binary (server/protocol_test/).
    EXPECT_NE(error({"--protocol-test-mode"}).find("unknown option"), std::string::npos);
}

TEST(Config, HelpAndVersionAreActions) {
    EXPECT_EQ(std::get<Parsed>(parse({"--help"})).action, Action::help);
    EXPECT_EQ(std::get<Parsed>(parse({"--version"})).action, Action::version);
    EXPECT_NE(help_text().find("--turn-secret"), std::string::npos);
}

TEST(Config, AllowedHostsAreNormalizedNames) {
    const auto c = config({"--allowed-hosts", "Chat.Example.org, festival.lan:3000,*"});
    EXPECT_EQ(c.allowed_hosts, (std::vector<std::string>{"chat.example.org", "festival.lan", "*"}));
    EXPECT_TRUE(config({}).allowed_hosts.empty());
    EXPECT_NE(error({"--allowed-hosts", "https://chat.example.org"}).find("--allowed-hosts"),
              std::string::npos);
    EXPECT_NE(error({}, {{"FC_ALLOWED_HOSTS", "a b"}}).find("FC_ALLOWED_HOSTS"), std::string::npos);
}

TEST(Config, AllowedHostsFlagReplacesTheVariable) {
    const auto c = config({"--allowed-hosts", "b.example"}, {{"FC_ALLOWED_HOSTS", "a.example"}});
    EXPECT_EQ(c.allowed_hosts, (std::vector<std::string>{"b.example"}));
}

TEST(Config, HelpListsEverySetting) {
    const auto help = help_text();
    for (const char* flag :
         {"--allowed-hosts", "FC_ALLOWED_HOSTS", "--cors-origin", "--public-url", "--turn-ttl"})
        EXPECT_NE(help.find(flag), std::string::npos) << flag;
}

TEST(Config, MemoryBoundsAndDeadlines) {
    const auto d = config({});
    EXPECT_EQ(d.engine.memory_budget, 256u * 1024 * 1024);
    EXPECT_EQ(d.engine.write_timeout.count(), 30000);
    EXPECT_EQ(d.socketio.attachment_timeout.count(), 10000);
    EXPECT_EQ(d.socketio.max_attachment_bytes, d.engine.max_payload);
    const auto c = config({"--memory-budget", "16000000", "--write-timeout", "2000",
                           "--attachment-timeout", "500", "--max-payload", "50000"});
    EXPECT_EQ(c.engine.memory_budget, 16000000u);
    EXPECT_EQ(c.engine.write_timeout.count(), 2000);
    EXPECT_EQ(c.socketio.attachment_timeout.count(), 500);
    EXPECT_EQ(c.socketio.max_attachment_bytes, 50000u); // follows maxPayload
    EXPECT_NE(error({"--memory-budget", "1000"}).find("memory-budget"), std::string::npos);
    EXPECT_NE(error({"--write-timeout", "5"}).find("write-timeout"), std::string::npos);
}
