// The ICE server list handed to clients, and short-lived TURN credentials
// in coturn's shared-secret scheme (use-auth-secret / static-auth-secret).
#pragma once

#include <boost/json/array.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace fc::http {

struct IceConfig {
    std::vector<std::string> stun_urls;
    std::vector<std::string> turn_urls;
    std::string turn_secret; // empty: no TURN entries
    std::chrono::seconds turn_ttl{86400};
};

struct TurnCredential {
    std::string username;   // "<unix expiry>:<user id>"
    std::string credential; // base64(HMAC-SHA1(secret, username))
};

TurnCredential turn_credential(std::string_view secret, std::string_view user_id,
                               std::chrono::system_clock::time_point expiry);

// The RTCIceServer object for the STUN URLs (none without URLs): what any
// caller may have, STUN servers being public.
boost::json::array stun_servers_json(const IceConfig& cfg);

// RTCIceServer objects: one for the STUN URLs, one for TURN with fresh
// credentials valid for turn_ttl from `now`.
boost::json::array ice_servers_json(const IceConfig& cfg, std::string_view user_id,
                                    std::chrono::system_clock::time_point now);

} // namespace fc::http
