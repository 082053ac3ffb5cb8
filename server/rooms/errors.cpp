#include "server/rooms/errors.hpp"

namespace fc::rooms {

std::string_view code(Error e) {
    switch (e) {
    case Error::bad_request:
        return "bad-request";
    case Error::invalid_room:
        return "invalid-room";
    case Error::room_full:
        return "room-full";
    case Error::rate_limited:
        return "rate-limited";
    case Error::unknown_peer:
        return "unknown-peer";
    case Error::too_large:
        return "too-large";
    case Error::not_in_room:
        return "not-in-room";
    case Error::client_id_taken:
        return "client-id-taken";
    }
    return "bad-request";
}

std::string_view message(Error e) {
    switch (e) {
    case Error::bad_request:
        return "missing or mistyped field";
    case Error::invalid_room:
        return "room ids are 1-64 characters of a-z, 0-9, '_' and '-', starting with a letter or "
               "digit";
    case Error::room_full:
        return "the room is full";
    case Error::rate_limited:
        return "too many requests, slow down";
    case Error::unknown_peer:
        return "no such peer in your room";
    case Error::too_large:
        return "signal larger than 64 KiB";
    case Error::not_in_room:
        return "join a room first";
    case Error::client_id_taken:
        return "clientId in use in this room";
    }
    return "error";
}

} // namespace fc::rooms
