// One validating pass over a packet's JSON without building it: Boost.JSON's
// SAX parser (basic_parser) with the rules boost::json::parse applies
// (standard JSON, UTF-8, depth 32, nothing after the value), keeping only
// what the packet shape checks and dispatch need.
#pragma once

#include <boost/json/kind.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace fc::socketio {

struct JsonShape {
    boost::json::kind kind = boost::json::kind::null;  // of the whole value
    std::size_t size = 0;                              // elements, when an array
    boost::json::kind first = boost::json::kind::null; // of element 0, when there is one
    std::string first_string;                          // element 0 decoded, when a string
};

// The error is Boost.JSON's (boost::json::error).
boost::system::result<JsonShape> scan_json(std::string_view text);

} // namespace fc::socketio
