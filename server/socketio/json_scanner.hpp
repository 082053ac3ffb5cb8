// The hot path's JSON pass: a validating scanner for the packets clients
// send all the time (an event array whose name is a plain string), which
// also notes where the members of its first argument lie, so the event's
// handler reads them without a second pass over the text.
//
// It only ever accepts: what it is unsure of (anything invalid, escaped
// event names, surrogate escapes, huge exponents, other top-level shapes)
// it leaves to Boost.JSON's parser, which then decides (json_shape.cpp).
// So whatever it accepts, boost::json::parse accepts too, with the same
// shape (tests/fuzz/fuzz_socketio_packet.cpp checks that).
#pragma once

#include "server/socketio/json_shape.hpp"

#include <string_view>

namespace fc::socketio {

// True when `text` is valid JSON (boost::json::parse's rules) whose shape
// is now in `shape`; false when Boost.JSON must decide (`shape` is then
// left half written).
bool scan_event_json(std::string_view text, JsonShape& shape);

} // namespace fc::socketio
