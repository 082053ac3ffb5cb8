#include "server/redis/reply.hpp"

#include <hiredis/hiredis.h>

namespace fc::redis {

Reply copy_reply(const redisReply& r) {
    Reply out;
    switch (r.type) {
    case REDIS_REPLY_INTEGER:
        out.type = Reply::Type::integer;
        out.integer = r.integer;
        break;
    case REDIS_REPLY_STRING:
        out.type = Reply::Type::string;
        out.str.assign(r.str, r.len);
        break;
    case REDIS_REPLY_STATUS:
        out.type = Reply::Type::status;
        out.str.assign(r.str, r.len);
        break;
    case REDIS_REPLY_ERROR:
        out.type = Reply::Type::error;
        out.str.assign(r.str, r.len);
        break;
    case REDIS_REPLY_ARRAY:
        out.type = Reply::Type::array;
        out.elements.reserve(r.elements);
        for (size_t i = 0; i < r.elements; ++i)
            out.elements.push_back(copy_reply(*r.element[i]));
        break;
    default: // REDIS_REPLY_NIL, and a nil multi-bulk (*-1) which hiredis also reports as NIL
        out.type = Reply::Type::nil;
        break;
    }
    return out;
}

Reply error_reply(std::string_view text) {
    Reply out;
    out.type = Reply::Type::error;
    out.str = std::string(text);
    return out;
}

} // namespace fc::redis
