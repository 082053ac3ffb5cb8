// Engine.IO errors: the protocol's closed table of request errors (answered
// as HTTP 400 with {"code","message"}) and the packet codec's decode errors.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace fc::engineio {

// The table from the Engine.IO server (Server.errors); the numbers are on
// the wire and must not change.
enum class RequestError {
    transport_unknown = 0,
    session_id_unknown = 1,
    bad_handshake_method = 2,
    bad_request = 3,
    forbidden = 4,
    unsupported_protocol_version = 5,
};

std::string_view message(RequestError e);
// The JSON body of the HTTP 400 answer: {"code":N,"message":"..."}.
std::string error_body(RequestError e);

// Why an incoming packet or payload could not be decoded.
enum class DecodeError {
    empty_packet = 1,
    unknown_packet_type,
    bad_base64,
    payload_too_large,
    binary_not_allowed,
};

const boost::system::error_category& decode_category() noexcept;

inline boost::system::error_code make_error_code(DecodeError e) noexcept {
    return {static_cast<int>(e), decode_category()};
}

template <class T> using Result = boost::system::result<T>;

} // namespace fc::engineio

template <> struct boost::system::is_error_code_enum<fc::engineio::DecodeError> : std::true_type {};
