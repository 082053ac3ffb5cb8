#include "server/http/host_policy.hpp"

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>

namespace fc::http {

namespace {

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

bool valid_port(std::string_view port) {
    return !port.empty() && port.size() <= 5 &&
           std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "Example.ORG." -> "example.org": one trailing dot names the same DNS
// name, so it must neither slip past nor be refused by the comparison.
std::string normalized_name(std::string_view name) {
    if (!name.empty() && name.back() == '.')
        name.remove_suffix(1);
    std::string out(name);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

} // namespace

std::optional<HostHeader> parse_host_header(std::string_view header) {
    HostHeader h;
    if (!header.empty() && header.front() == '[') {
        const auto close = header.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        const std::string inner(header.substr(1, close - 1));
        boost::system::error_code ec;
        boost::asio::ip::make_address_v6(inner, ec); // inet_pton: no zone ids
        if (ec)
            return std::nullopt;
        const auto rest = header.substr(close + 1);
        if (!rest.empty() && (rest.front() != ':' || !valid_port(rest.substr(1))))
            return std::nullopt;
        h.name = normalized_name(header.substr(0, close + 1));
        h.ip = true;
        return h;
    }
    // Neither a reg-name nor an IPv4 address holds ':', so the first one
    // starts the port (and "127.0.0.1:3000.evil.example" is malformed).
    const auto colon = header.find(':');
    const auto name = header.substr(0, colon);
    if (colon != std::string_view::npos && !valid_port(header.substr(colon + 1)))
        return std::nullopt;
    if (name.empty() || !std::all_of(name.begin(), name.end(), name_char))
        return std::nullopt;
    h.name = normalized_name(name);
    // Every label non-empty: "a..b", ".a" or "a.." name nothing, and would
    // compare unlike the names an operator declares.
    if (h.name.empty() || h.name.front() == '.' || h.name.back() == '.' ||
        h.name.find("..") != std::string::npos)
        return std::nullopt;
    // Strict dotted decimal (inet_pton), the only form browsers send: the
    // WHATWG URL parser rewrites "2130706433" or "0x7f.1" to it.
    boost::system::error_code ec;
    boost::asio::ip::make_address_v4(h.name, ec);
    h.ip = !ec;
    return h;
}

std::string url_host(std::string_view url) {
    auto u = boost::urls::parse_uri(url);
    if (!u || (u->scheme_id() != boost::urls::scheme::http &&
               u->scheme_id() != boost::urls::scheme::https))
        return {};
    auto h = parse_host_header(u->encoded_host());
    return h ? h->name : std::string();
}

HostPolicy::HostPolicy(const std::vector<std::string>& names) {
    for (const auto& n : names) {
        if (n == "*")
            any_ = true;
        else if (!n.empty())
            names_.push_back(normalized_name(n));
    }
}

bool HostPolicy::allowed(std::string_view host_header) const {
    if (any_)
        return true;
    const auto h = parse_host_header(host_header);
    if (!h)
        return false;
    return h->ip || h->name == "localhost" ||
           std::find(names_.begin(), names_.end(), h->name) != names_.end();
}

} // namespace fc::http
