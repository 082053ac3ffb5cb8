#include "server/redis/endpoint.hpp"

#include <boost/asio/ip/address_v6.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace fc::redis {

namespace {

constexpr std::string_view kScheme = "redis://";

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// A DNS name or an IPv4 literal: letters, digits, '-', '.', '_' (the last
// is not valid DNS but appears in container and compose service names).
bool valid_name(std::string_view host) {
    return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
    });
}

using Parsed = boost::system::result<Endpoint, std::string>;

// result<T, std::string> is not implicitly made from a string.
Parsed fail(std::string message) {
    return Parsed(boost::system::in_place_error, std::move(message));
}

// Decimal digits only (from_chars alone would accept a leading '-').
template <typename Int> bool parse_number(std::string_view text, Int& out) {
    if (text.empty() ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

} // namespace

boost::system::result<Endpoint, std::string> parse_url(std::string_view url) {
    // Appended, not `"\"" + std::string(url)`: g++ 12 at -O3 reports a
    // false -Wrestrict on a literal prepended to a temporary string.
    std::string quoted(1, '"');
    quoted.append(url);
    quoted.push_back('"');
    if (url.size() >= 9 && iequals(url.substr(0, 9), "rediss://"))
        return fail("TLS (rediss://) is not supported: " + quoted);
    if (url.size() < kScheme.size() || !iequals(url.substr(0, kScheme.size()), kScheme))
        return fail("not a redis:// URL: " + quoted);
    std::string_view rest = url.substr(kScheme.size());
    if (rest.find_first_of("?#") != std::string_view::npos)
        return fail("query and fragment are not supported: " + quoted);

    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    const std::string_view path =
        slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (authority.find('@') != std::string_view::npos)
        return fail("credentials in the URL are not supported: " + quoted);

    Endpoint ep;
    std::string_view port_text;
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos)
            return fail("unterminated IPv6 literal: " + quoted);
        const std::string literal(authority.substr(1, close - 1));
        boost::system::error_code ec;
        boost::asio::ip::make_address_v6(literal, ec);
        if (ec)
            return fail("bad IPv6 address \"" + literal + "\" in " + quoted);
        ep.host = literal;
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && !after.starts_with(':'))
            return fail("unexpected text after the IPv6 literal: " + quoted);
        if (!after.empty())
            port_text = after.substr(1);
        if (after == ":")
            return fail("empty port: " + quoted);
    } else {
        const auto colon = authority.find(':');
        const std::string_view host = authority.substr(0, colon);
        if (host.empty())
            return fail("no host: " + quoted);
        if (!valid_name(host))
            return fail("bad host name \"" + std::string(host) + "\" in " + quoted);
        ep.host = std::string(host);
        if (colon != std::string_view::npos) {
            port_text = authority.substr(colon + 1);
            if (port_text.empty())
                return fail("empty port: " + quoted);
        }
    }
    if (!port_text.empty()) {
        unsigned port = 0;
        if (!parse_number(port_text, port) || port == 0 || port > 65535)
            return fail("bad port \"" + std::string(port_text) + "\" in " + quoted);
        ep.port = static_cast<std::uint16_t>(port);
    }
    if (!path.empty()) {
        int db = 0;
        if (!parse_number(path, db))
            return fail("bad database number \"" + std::string(path) + "\" in " + quoted);
        ep.db = db;
    }
    return ep;
}

std::string to_string(const Endpoint& ep) {
    const bool v6 = ep.host.find(':') != std::string::npos;
    return std::string(kScheme) + (v6 ? "[" + ep.host + "]" : ep.host) + ":" +
           std::to_string(ep.port) + "/" + std::to_string(ep.db);
}

} // namespace fc::redis
