#include "server/engineio/polling_transport.hpp"

#include "server/engineio/server.hpp"
#include "server/engineio/session.hpp"

namespace fc::engineio {

namespace {
constexpr std::string_view kTextType = "text/plain; charset=UTF-8";
constexpr std::string_view kJsonType = "application/json";
} // namespace

bool PollingTransport::send(FrameQueue& queue) {
    std::string body;
    while (!queue.empty())
        append_to_payload(body, *queue.pop());
    server_.stats().bytes_out += body.size();
    auto get = std::move(get_);
    get->respond(200, kTextType, std::move(body));
    return false;
}

void PollingTransport::close(bool announce) {
    if (auto get = std::move(get_))
        get->respond(200, kTextType, announce ? "1" : "6");
}

void PollingTransport::on_poll(PollExchangePtr get) {
    if (session_.closed())
        return get->respond(400, kJsonType, error_body(RequestError::session_id_unknown));
    if (get_) {
        // Two GETs at once: the reference server closes the session, the
        // first GET learning of it by a close packet.
        get->respond(400, kJsonType, error_body(RequestError::bad_request));
        return session_.on_transport_error(this, "duplicate poll");
    }
    get_ = std::move(get);
    session_.on_writable(this);
}

void PollingTransport::on_post(std::string_view body, PollExchangePtr post) {
    if (session_.closed())
        return post->respond(400, kJsonType, error_body(RequestError::session_id_unknown));
    if (body.size() > server_.settings().max_payload) {
        post->respond(413, kJsonType, error_body(RequestError::bad_request));
        return session_.on_transport_error(this, "payload too large");
    }
    auto packets = decode_payload(body);
    if (!packets) {
        post->respond(400, kJsonType, error_body(RequestError::bad_request));
        return session_.on_transport_error(this, "parse error");
    }
    for (const auto& p : *packets) {
        if (session_.closed())
            break;
        session_.on_packet(this, p.type, p.data, p.binary);
    }
    post->respond(200, "text/html", "ok");
}

} // namespace fc::engineio
