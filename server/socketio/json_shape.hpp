// One validating pass over a packet's JSON without building it: Boost.JSON's
// SAX parser (basic_parser) with the rules boost::json::parse applies
// (standard JSON, UTF-8, depth 32, nothing after the value), keeping only
// what the packet shape checks and dispatch need.
#pragma once

#include <boost/json/kind.hpp>
#include <boost/system/result.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace fc::socketio {

// One member of an object as raw text: the key between its quotes, escapes
// as sent; the value's whole JSON text.
struct JsonMember {
    std::string_view key;
    std::string_view value;
};

// The members of an event's first argument (element 1 of the array), noted
// by the scanning pass when that argument is an object of at most kMax
// members; `known` false otherwise (its reader then reads the text again).
struct ArgMembers {
    static constexpr std::size_t kMax = 4; // a signal has three
    bool known = false;
    std::size_t count = 0;
    std::array<JsonMember, kMax> items;
};

struct JsonShape {
    boost::json::kind kind = boost::json::kind::null;  // of the whole value
    std::size_t size = 0;                              // elements, when an array
    boost::json::kind first = boost::json::kind::null; // of element 0, when there is one
    std::string first_string;                          // element 0 decoded, when a string
    ArgMembers arg;                                    // views of the scanned text
};

// The error is Boost.JSON's (boost::json::error). Event arrays are read by
// one scanner of our own (json_scanner.hpp), the rest by Boost.JSON's.
boost::system::result<JsonShape> scan_json(std::string_view text);

} // namespace fc::socketio
