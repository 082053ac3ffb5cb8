// The rooms contract on the wire: decoding join-room / signal arguments and
// encoding peer-joined, peer-left, signal and the acknowledgements.
#pragma once

#include "server/rooms/errors.hpp"
#include "server/rooms/registry.hpp"

#include <boost/json/array.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace fc::signaling {

template <class T> using Result = boost::system::result<T, rooms::Error>;

constexpr std::size_t kMaxSignalBytes = 64 * 1024;
constexpr std::size_t kMaxSignalType = 32;

// join-room's argument object, checked field by field as the contract says.
Result<rooms::JoinRequest> parse_join(const boost::json::array& args);

struct SignalRequest {
    std::string_view to;
    std::string_view type_raw;    // JSON string text, quotes included
    std::string_view payload_raw; // JSON text; "null" when absent
};
// `raw` is the event's whole JSON array text; `args` its parse.
Result<SignalRequest> parse_signal(const boost::json::array& args, std::string_view raw);

std::string encode_peer_joined(const rooms::Member& m);
std::string encode_peer_left(std::string_view peer_id, rooms::LeaveReason reason);
std::string encode_signal(std::string_view from, const SignalRequest& s);
std::string encode_join_ack(const rooms::Joined& joined, const boost::json::array& ice_servers);
std::string encode_ok_ack();
std::string encode_error_ack(rooms::Error e);

} // namespace fc::signaling
