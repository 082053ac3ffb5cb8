#include "server/base/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace fc::log {

namespace {
std::atomic<Level> g_level{Level::info};

constexpr std::string_view name(Level l) {
    switch (l) {
    case Level::debug:
        return "debug";
    case Level::info:
        return "info";
    case Level::warn:
        return "warn";
    case Level::error:
        return "error";
    }
    return "info";
}

void append_value(std::string& line, std::string_view v) {
    const bool quote = v.empty() || v.find_first_of(" \"=\\\n\t") != std::string_view::npos;
    if (!quote) {
        line += v;
        return;
    }
    line.push_back('"');
    for (char c : v) {
        if (c == '"' || c == '\\') {
            line.push_back('\\');
            line.push_back(c);
        } else if (c == '\n') {
            line += "\\n";
        } else if (static_cast<unsigned char>(c) < 0x20) {
            line.push_back(' ');
        } else {
            line.push_back(c);
        }
    }
    line.push_back('"');
}
} // namespace

void set_level(Level level) {
    g_level.store(level);
}
bool enabled(Level level) {
    return level >= g_level.load(std::memory_order_relaxed);
}

bool parse_level(std::string_view text, Level& out) {
    for (Level l : {Level::debug, Level::info, Level::warn, Level::error})
        if (text == name(l)) {
            out = l;
            return true;
        }
    return false;
}

void write(Level level, std::string_view event, std::initializer_list<Field> fields) {
    if (!enabled(level))
        return;
    using namespace std::chrono;
    const auto now = system_clock::now();
    const std::time_t t = system_clock::to_time_t(now);
    const auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[64];
    std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms));
    std::string line;
    line.reserve(128);
    line += ts;
    line += " level=";
    line += name(level);
    line += " event=";
    append_value(line, event);
    for (const auto& [k, v] : fields) {
        line.push_back(' ');
        line += k;
        line.push_back('=');
        append_value(line, v);
    }
    line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
}

} // namespace fc::log
