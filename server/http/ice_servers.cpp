#include "server/http/ice_servers.hpp"

#include "server/engineio/base64.hpp"

#include <boost/json/object.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace fc::http {

TurnCredential turn_credential(std::string_view secret, std::string_view user_id,
                               std::chrono::system_clock::time_point expiry) {
    const auto unix_expiry =
        std::chrono::duration_cast<std::chrono::seconds>(expiry.time_since_epoch()).count();
    TurnCredential c;
    c.username = std::to_string(unix_expiry) + ":" + std::string(user_id);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(c.username.data()), c.username.size(), mac, &len);
    engineio::base64_append(c.credential, {reinterpret_cast<const char*>(mac), len});
    return c;
}

boost::json::array stun_servers_json(const IceConfig& cfg) {
    boost::json::array servers;
    if (!cfg.stun_urls.empty()) {
        boost::json::object stun;
        stun["urls"] = boost::json::array(cfg.stun_urls.begin(), cfg.stun_urls.end());
        servers.emplace_back(std::move(stun));
    }
    return servers;
}

boost::json::array ice_servers_json(const IceConfig& cfg, std::string_view user_id,
                                    std::chrono::system_clock::time_point now) {
    boost::json::array servers = stun_servers_json(cfg);
    if (!cfg.turn_secret.empty() && !cfg.turn_urls.empty()) {
        const auto cred = turn_credential(cfg.turn_secret, user_id, now + cfg.turn_ttl);
        boost::json::object turn;
        turn["urls"] = boost::json::array(cfg.turn_urls.begin(), cfg.turn_urls.end());
        turn["username"] = cred.username;
        turn["credential"] = cred.credential;
        servers.emplace_back(std::move(turn));
    }
    return servers;
}

} // namespace fc::http
