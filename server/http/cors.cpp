#include "server/http/cors.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>

namespace fc::http {

bool CorsPolicy::allowed(const Request& req) const {
    const auto origin = req[beast_http::field::origin];
    if (origin.empty())
        return true;
    for (const auto& o : origins_)
        if (o == "*" || o == origin)
            return true;
    // Same origin: the Origin's authority equals the Host we were reached at.
    auto url = boost::urls::parse_uri(origin);
    if (!url)
        return false;
    const auto host = req[beast_http::field::host];
    return !host.empty() && url->encoded_authority() == host;
}

void CorsPolicy::decorate(const Request& req, Response& res) const {
    const auto origin = req[beast_http::field::origin];
    if (origin.empty())
        return;
    res.set(beast_http::field::access_control_allow_origin, origin);
    res.set(beast_http::field::access_control_allow_credentials, "true");
    res.set(beast_http::field::vary, "Origin");
}

Response CorsPolicy::preflight(const Request& req) const {
    Response res{beast_http::status::no_content, req.version()};
    decorate(req, res);
    res.set(beast_http::field::access_control_allow_methods, "GET, POST, OPTIONS");
    res.set(beast_http::field::access_control_allow_headers, "content-type");
    res.set(beast_http::field::access_control_max_age, "600");
    res.keep_alive(req.keep_alive());
    return res;
}

} // namespace fc::http
