// The Host and Origin checks of the signaling endpoints (DNS rebinding and
// cross-origin guards): any header text, no crash, and a Host that parses
// is allowed by a policy that names it.
#include "server/http/cors.hpp"
#include "server/http/host_policy.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    // The input is "<host>\n<origin>": two headers from one request.
    const auto nl = text.find('\n');
    const std::string_view host = text.substr(0, nl);
    const std::string_view origin = nl == std::string_view::npos ? text : text.substr(nl + 1);

    const auto parsed = fc::http::parse_host_header(host);
    if (parsed && !parsed->name.empty()) {
        const fc::http::HostPolicy policy({parsed->name});
        if (!policy.allowed(host))
            std::abort(); // a parsed Host must pass a policy that names it
    }
    (void)fc::http::same_origin(origin, host, size % 2 == 0);
    (void)fc::http::url_host(origin);
    (void)fc::http::url_origin(origin);
    return 0;
}
