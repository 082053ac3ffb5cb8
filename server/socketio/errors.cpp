#include "server/socketio/errors.hpp"

#include <string>

namespace fc::socketio {

namespace {
class DecodeCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "socketio.decode"; }
    std::string message(int ev) const override {
        switch (static_cast<DecodeError>(ev)) {
        case DecodeError::empty_packet:
            return "empty packet";
        case DecodeError::unknown_packet_type:
            return "unknown packet type";
        case DecodeError::bad_attachments:
            return "illegal attachment count";
        case DecodeError::bad_namespace:
            return "illegal namespace";
        case DecodeError::bad_ack_id:
            return "illegal acknowledgement id";
        case DecodeError::bad_json:
            return "payload is not valid JSON";
        case DecodeError::bad_payload:
            return "payload has the wrong shape for its packet type";
        case DecodeError::bad_placeholder:
            return "binary placeholder out of range";
        case DecodeError::unexpected_binary:
            return "binary data without a packet awaiting attachments";
        case DecodeError::unexpected_text:
            return "text packet while attachments were awaited";
        }
        return "unknown decode error";
    }
};
} // namespace

const boost::system::error_category& decode_category() noexcept {
    static const DecodeCategory category;
    return category;
}

} // namespace fc::socketio
