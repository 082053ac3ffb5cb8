#include "server/engineio/errors.hpp"

namespace fc::engineio {

std::string_view message(RequestError e) {
    switch (e) {
    case RequestError::transport_unknown:
        return "Transport unknown";
    case RequestError::session_id_unknown:
        return "Session ID unknown";
    case RequestError::bad_handshake_method:
        return "Bad handshake method";
    case RequestError::bad_request:
        return "Bad request";
    case RequestError::forbidden:
        return "Forbidden";
    case RequestError::unsupported_protocol_version:
        return "Unsupported protocol version";
    }
    return "Unknown error";
}

std::string error_body(RequestError e) {
    std::string body = R"({"code":)";
    body += std::to_string(static_cast<int>(e));
    body += R"(,"message":")";
    body += message(e);
    body += R"("})";
    return body;
}

namespace {
class DecodeCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "engineio.decode"; }
    std::string message(int ev) const override {
        switch (static_cast<DecodeError>(ev)) {
        case DecodeError::empty_packet:
            return "empty packet";
        case DecodeError::unknown_packet_type:
            return "unknown packet type";
        case DecodeError::bad_base64:
            return "invalid base64 in binary packet";
        case DecodeError::payload_too_large:
            return "payload exceeds maxPayload";
        case DecodeError::binary_not_allowed:
            return "binary data is only allowed in message packets";
        }
        return "unknown decode error";
    }
};
} // namespace

const boost::system::error_category& decode_category() noexcept {
    static const DecodeCategory category;
    return category;
}

} // namespace fc::engineio
