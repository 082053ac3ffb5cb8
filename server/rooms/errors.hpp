// The error codes of the rooms contract, as sent in acknowledgements
// ({"ok":false,"error":{"code","message"}}).
#pragma once

#include <string_view>

namespace fc::rooms {

enum class Error {
    bad_request,
    invalid_room,
    room_full,
    rate_limited,
    unknown_peer,
    too_large,
    not_in_room,
    client_id_taken,
};

// The wire code, e.g. "invalid-room".
std::string_view code(Error e);
std::string_view message(Error e);

constexpr Error kAllErrors[] = {Error::bad_request,  Error::invalid_room,   Error::room_full,
                                Error::rate_limited, Error::unknown_peer,   Error::too_large,
                                Error::not_in_room,  Error::client_id_taken};

} // namespace fc::rooms
