#include "server/http/cors.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>

namespace fc::http {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [&](char x, char y) { return lower(x) == lower(y); });
}

// An origin is scheme "://" host [":" port] (RFC 6454 §6.2): anything
// more (a path, userinfo, a query) is not an origin a browser sends.
bool is_bare_origin(const boost::urls::url_view& u) {
    return u.has_authority() && !u.has_userinfo() && u.encoded_path().empty() && !u.has_query() &&
           !u.has_fragment() && !u.encoded_host().empty();
}

} // namespace

bool same_origin(std::string_view origin, std::string_view host, bool tls) {
    if (host.empty())
        return false;
    auto u = boost::urls::parse_uri(origin);
    if (!u || !is_bare_origin(*u))
        return false;
    // An http page may not speak for an https server or the reverse: on
    // default ports both read "example.org", but only one is ours.
    if (u->scheme_id() != (tls ? boost::urls::scheme::https : boost::urls::scheme::http))
        return false;
    return iequals(u->encoded_authority(), host);
}

std::string url_origin(std::string_view url) {
    auto u = boost::urls::parse_uri(url);
    if (!u || !u->has_authority() || u->has_userinfo() || u->encoded_host().empty() ||
        (u->scheme_id() != boost::urls::scheme::http &&
         u->scheme_id() != boost::urls::scheme::https))
        return {};
    const bool https = u->scheme_id() == boost::urls::scheme::https;
    std::string out(https ? "https://" : "http://");
    out += u->encoded_host();
    // Browsers leave a default port out of the Origin they send.
    if (!u->port().empty() && u->port_number() != (https ? 443 : 80)) {
        out += ':';
        out += u->port();
    }
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    return out;
}

CorsPolicy::CorsPolicy(std::vector<std::string> origins, bool tls)
    : origins_(std::move(origins)), tls_(tls) {
    any_ = std::find(origins_.begin(), origins_.end(), "*") != origins_.end();
}

CorsPolicy::Match CorsPolicy::match(const Request& req) const {
    const auto origin = req[beast_http::field::origin];
    if (origin.empty())
        return Match::no_origin;
    if (same_origin(origin, req[beast_http::field::host], tls_))
        return Match::same;
    for (const auto& o : origins_)
        if (o != "*" && iequals(o, origin))
            return Match::listed;
    return any_ ? Match::wildcard : Match::refused;
}

void CorsPolicy::decorate(const Request& req, Response& res) const {
    const auto m = match(req);
    if (m == Match::no_origin)
        return;
    // The answer depends on Origin even when it is a refusal.
    res.set(beast_http::field::vary, "Origin");
    if (m == Match::refused)
        return;
    res.set(beast_http::field::access_control_allow_origin, req[beast_http::field::origin]);
    if (m != Match::wildcard)
        res.set(beast_http::field::access_control_allow_credentials, "true");
}

Response CorsPolicy::preflight(const Request& req) const {
    if (!allowed(req)) {
        Response res{beast_http::status::forbidden, req.version()};
        res.set(beast_http::field::content_type, "application/json");
        res.set(beast_http::field::cache_control, "no-store");
        res.set(beast_http::field::vary, "Origin");
        res.keep_alive(req.keep_alive());
        res.body() = R"({"code":4,"message":"Forbidden"})";
        res.prepare_payload();
        return res;
    }
    Response res{beast_http::status::no_content, req.version()};
    decorate(req, res);
    res.set(beast_http::field::access_control_allow_methods, "GET, POST, OPTIONS");
    res.set(beast_http::field::access_control_allow_headers, "content-type");
    res.set(beast_http::field::access_control_max_age, "600");
    res.keep_alive(req.keep_alive());
    return res;
}

} // namespace fc::http
