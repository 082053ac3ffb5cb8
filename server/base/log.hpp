// Structured logs: one line per event, `ts level event key=value ...`, to
// stderr. Privacy rule: callers never pass room names, display names or
// signal payloads (room ids go through rooms::room_tag()).
#pragma once

#include <initializer_list>
#include <string_view>
#include <utility>

namespace fc::log {

enum class Level { debug = 0, info, warn, error };

void set_level(Level level);
bool enabled(Level level);
// Parses "debug" | "info" | "warn" | "error".
bool parse_level(std::string_view text, Level& out);

using Field = std::pair<std::string_view, std::string_view>;
void write(Level level, std::string_view event, std::initializer_list<Field> fields = {});

inline void debug(std::string_view e, std::initializer_list<Field> f = {}) {
    write(Level::debug, e, f);
}
inline void info(std::string_view e, std::initializer_list<Field> f = {}) {
    write(Level::info, e, f);
}
inline void warn(std::string_view e, std::initializer_list<Field> f = {}) {
    write(Level::warn, e, f);
}
inline void error(std::string_view e, std::initializer_list<Field> f = {}) {
    write(Level::error, e, f);
}

} // namespace fc::log
