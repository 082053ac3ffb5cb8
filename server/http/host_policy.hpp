// Which Host headers the signaling endpoints answer: the guard against DNS
// rebinding, where a page on evil.example points its own name at this
// server and then talks to it as its "same origin".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fc::http {

// A Host header split per RFC 9110 §7.2 (uri-host [ ":" port ]).
struct HostHeader {
    std::string name; // lowercased, brackets kept for IPv6, no trailing dot
    bool ip = false;  // an IPv4 or bracketed IPv6 literal
};

// Empty for anything but an IP literal or a DNS-style name (letters,
// digits, '-', '_', '.') with an optional decimal port.
std::optional<HostHeader> parse_host_header(std::string_view header);

// The host of an absolute http(s) URL (for --public-url), in the form
// parse_host_header gives; empty if the URL has none.
std::string url_host(std::string_view url);

class HostPolicy {
public:
    // `names`: the host names the operator declared (--allowed-hosts and
    // the host of --public-url), without ports; "*" allows any Host.
    explicit HostPolicy(const std::vector<std::string>& names);

    // IP literals and "localhost" always pass: a name an attacker owns can
    // be re-pointed at us, an address cannot, and browsers resolve
    // "localhost" themselves. Other names only when declared.
    bool allowed(std::string_view host_header) const;

private:
    bool any_ = false;
    std::vector<std::string> names_;
};

} // namespace fc::http
