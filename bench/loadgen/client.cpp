#include "bench/loadgen/client.hpp"

#include "server/socketio/packet.hpp"

#include <boost/json/array.hpp>

#include <netinet/in.h>

namespace fc::loadgen {

namespace json = boost::json;

Client::Client(boost::asio::io_context& io, const Endpoint& ep, boost::asio::ip::address source,
               ClientObserver& observer, std::size_t index)
    : io_(io), endpoint_(ep), source_(std::move(source)), observer_(observer), index_(index) {}

void Client::emit(std::string_view event_args, AckHandler ack) {
    std::string packet;
    packet.reserve(event_args.size() + 24);
    packet += "42";
    if (ack) {
        auto id = next_ack_++;
        packet += std::to_string(id);
        acks_.emplace(id, std::move(ack));
    }
    packet += '[';
    packet += event_args;
    packet += ']';
    send_packet(std::move(packet));
}

void Client::on_packet(std::string_view packet) {
    if (packet.empty()) return;
    switch (packet[0]) {
    case '0': send_packet("40"); return;     // Engine.IO open: join "/"
    case '2': send_packet("3"); return;      // ping -> pong
    case '4': on_socketio(packet.substr(1)); return;
    case '1': closed("server closed the session"); return;
    default: return;                          // noop, pong, upgrade
    }
}

void Client::on_socketio(std::string_view text) {
    // The hot path first: a relayed signal goes to the scenario unparsed.
    constexpr std::string_view kSignal = "2[\"signal\",";
    if (text.starts_with(kSignal)) {
        observer_.on_signal(*this, text);
        return;
    }
    auto p = socketio::decode(text);
    if (!p) {
        closed("undecodable packet from the server");
        return;
    }
    switch (p->type) {
    case socketio::PacketType::connect:
        connected_ = true;
        observer_.on_connected(*this);
        return;
    case socketio::PacketType::connect_error: closed("CONNECT_ERROR"); return;
    case socketio::PacketType::disconnect: closed("server disconnected the socket"); return;
    case socketio::PacketType::ack: {
        if (!p->id) return;
        auto it = acks_.find(*p->id);
        if (it == acks_.end()) return;
        auto handler = std::move(it->second);
        acks_.erase(it);
        const auto& args = p->json.as_array();
        handler(args.empty() ? json::value() : args[0]);
        return;
    }
    case socketio::PacketType::event: {
        const auto& args = p->json.as_array();
        observer_.on_event(*this, args[0].as_string(), args.size() > 1 ? args[1] : json::value());
        return;
    }
    default: return;
    }
}

void Client::closed(std::string_view why) {
    if (closed_) return;
    closed_ = true;
    connected_ = false;
    acks_.clear();
    observer_.on_closed(*this, why);
}

void bind_source(boost::asio::ip::tcp::socket& socket, const boost::asio::ip::address& source,
                 boost::system::error_code& ec) {
    if (source.is_unspecified()) return;
    int one = 1;
    // Defer the port choice to connect(): ports are then unique per
    // (source, destination) pair instead of per source address.
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    socket.bind({source, 0}, ec);
}

} // namespace fc::loadgen

namespace fc::loadgen {

std::shared_ptr<Client> make_websocket_client(boost::asio::io_context&, websocket::ReadySet&,
                                              const Endpoint&, boost::asio::ip::address, ClientObserver&,
                                              std::size_t);
std::shared_ptr<Client> make_polling_client(boost::asio::io_context&, const Endpoint&,
                                            boost::asio::ip::address, ClientObserver&, std::size_t);

std::shared_ptr<Client> make_client(std::string_view transport, boost::asio::io_context& io,
                                    websocket::ReadySet& ready, const Endpoint& ep,
                                    boost::asio::ip::address source, ClientObserver& observer,
                                    std::size_t index) {
    if (transport == "polling") return make_polling_client(io, ep, std::move(source), observer, index);
    return make_websocket_client(io, ready, ep, std::move(source), observer, index);
}

} // namespace fc::loadgen
