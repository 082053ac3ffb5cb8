#include "server/protocol_test/echo_namespace.hpp"

#include "server/signaling/json_span.hpp"
#include "server/socketio/socket.hpp"

#include <string>

namespace fc::protocol_test {

namespace {
// The text after the event name: `,1,"2"]` of `["message",1,"2"]`.
std::string_view after_name(std::string_view raw) {
    std::size_t i = raw.find('[');
    const std::size_t end = signaling::skip_value(raw, i + 1);
    return end == std::string_view::npos ? std::string_view("]") : raw.substr(end);
}
} // namespace

void EchoNamespace::on_connect(socketio::Socket& socket, std::string_view auth) {
    std::string out = R"(["auth",)";
    out += auth.empty() ? std::string_view("{}") : auth;
    out += "]";
    socket.emit(out);
}

void EchoNamespace::on_event(socketio::Socket& socket, const socketio::Event& event) {
    if (!echo_)
        return;
    const std::string_view rest = after_name(event.raw);
    if (event.name == "message") {
        socket.emit(R"(["message-back")" + std::string(rest), event.attachments);
    } else if (event.name == "message-with-ack" && event.ack_id) {
        std::size_t i = rest.find_first_not_of(" \t\r\n");
        std::string args = "[";
        if (i != std::string_view::npos && rest[i] == ',')
            args += rest.substr(i + 1);
        else
            args += "]";
        socket.ack(*event.ack_id, args, event.attachments);
    }
}

} // namespace fc::protocol_test
