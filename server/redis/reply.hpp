// A Redis reply owned by us: copied out of hiredis' reply tree (which
// hiredis frees as soon as the reply callback returns), so a handler may
// keep it, move it or look at it on a later turn of the event loop.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;

namespace fc::redis {

struct Reply {
    enum class Type { nil, integer, string, status, error, array };
    Type type = Type::nil;
    long long integer = 0;
    std::string str;             // string, status, error text (binary-safe)
    std::vector<Reply> elements; // array
    bool is_error() const { return type == Type::error; }
};

using ReplyHandler = std::function<void(const Reply&)>;

// A deep copy of hiredis' reply (RESP2: hiredis 0.14 knows no other types).
Reply copy_reply(const redisReply& r);

// An error reply made here rather than by Redis, e.g. "ERR disconnected".
Reply error_reply(std::string_view text);

// What a command gets when it could not be sent or its connection was lost
// before the answer: the reply cannot tell whether Redis carried it out.
inline constexpr std::string_view kDisconnected = "ERR disconnected";

} // namespace fc::redis
