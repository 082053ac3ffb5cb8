#include "server/engineio/query.hpp"

#include <boost/url/parse_query.hpp>

namespace fc::engineio {

Result<Query> parse_query(std::string_view raw) {
    // Boost.URL 1.81's parse_query reads its input up to a NUL (strlen)
    // whatever the view's length: give it a terminated copy.
    const std::string terminated(raw);
    auto params = boost::urls::parse_query(terminated);
    if (!params)
        return params.error();
    Query q;
    for (const auto& p : *params) {
        if (!p.has_value)
            continue;
        std::string value;
        value.resize(p.value.decoded_size());
        p.value.decode({}, boost::urls::string_token::assign_to(value));
        if (p.key == "EIO")
            q.eio = std::move(value);
        else if (p.key == "transport")
            q.transport = std::move(value);
        else if (p.key == "sid") {
            q.sid = std::move(value);
            q.has_sid = true;
        }
    }
    return q;
}

std::optional<TransportKind> transport_of(std::string_view name) {
    if (name == "polling")
        return TransportKind::polling;
    if (name == "websocket")
        return TransportKind::websocket;
    return std::nullopt;
}

std::optional<RequestError> check_query(const Query& q) {
    if (!transport_of(q.transport))
        return RequestError::transport_unknown;
    if (q.eio != "4")
        return RequestError::unsupported_protocol_version;
    return std::nullopt;
}

} // namespace fc::engineio
