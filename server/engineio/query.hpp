// The Engine.IO request query (?EIO=4&transport=polling&sid=...) and its
// checks, in the order the reference server applies them.
#pragma once

#include "server/engineio/errors.hpp"
#include "server/engineio/transport.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace fc::engineio {

struct Query {
    std::string eio;
    std::string transport;
    std::string sid;
    bool has_sid = false;
};

// Parses a raw query string (without '?'); percent-decodes the values.
// Unknown parameters (t=..., b64, custom ones) are ignored.
Result<Query> parse_query(std::string_view raw);

// EIO must be 4 and transport one we know; errors from the protocol table.
std::optional<RequestError> check_query(const Query& q);

std::optional<TransportKind> transport_of(std::string_view name);

} // namespace fc::engineio
