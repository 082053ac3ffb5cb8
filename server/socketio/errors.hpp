// Socket.IO decode errors. Any of them closes the one connection that sent
// the packet (as the reference server does); the server carries on.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace fc::socketio {

enum class DecodeError {
    empty_packet = 1,
    unknown_packet_type,
    bad_attachments,
    bad_namespace,
    bad_ack_id,
    bad_json,
    bad_payload,
    bad_placeholder,
    unexpected_binary,
    unexpected_text,
};

const boost::system::error_category& decode_category() noexcept;

inline boost::system::error_code make_error_code(DecodeError e) noexcept {
    return {static_cast<int>(e), decode_category()};
}

template <class T> using Result = boost::system::result<T>;

} // namespace fc::socketio

template <> struct boost::system::is_error_code_enum<fc::socketio::DecodeError> : std::true_type {};
