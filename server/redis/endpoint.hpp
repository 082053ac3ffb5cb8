// Where a Redis server is: redis://host:port[/db] parsed into an Endpoint,
// and back into a string for logs. Plain TCP only: no TLS (rediss://), no
// credentials, no query options; those are refused with a message rather
// than silently ignored.
#pragma once

#include <boost/system/result.hpp>
#include <boost/throw_exception.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace fc::redis {

struct Endpoint {
    std::string host;          // a name, or an IPv4/IPv6 literal (without brackets)
    std::uint16_t port = 6379; // Redis' registered port
    int db = 0;                // SELECTed after every connect when not 0
};

// redis://host[:port][/db]. The scheme is case-insensitive (RFC 3986 3.1);
// an IPv6 literal is bracketed (RFC 3986 3.2.2): redis://[::1]:6380/2.
// The error is a human message naming what is wrong, for the startup log.
boost::system::result<Endpoint, std::string> parse_url(std::string_view url);

// "redis://host:port/db", IPv6 hosts bracketed: parse_url() reads it back.
std::string to_string(const Endpoint& ep);

} // namespace fc::redis

namespace boost {
// Lets parse_url(...).value() compile and throw: result<T, E>::value() calls
// throw_exception_from_error(E, source_location) unqualified, and Boost 1.81
// has none for a string error. It is found by argument-dependent lookup
// through boost::source_location, the only associated namespace we may add
// to (std::string's is std).
[[noreturn]] inline void throw_exception_from_error(const std::string& e,
                                                    const boost::source_location& loc) {
    boost::throw_exception(std::invalid_argument(e), loc);
}
} // namespace boost
