#include "server/signaling/service.hpp"

#include "server/base/log.hpp"
#include "server/rooms/ids.hpp"
#include "server/signaling/events.hpp"
#include "server/signaling/placeholders.hpp"
#include "server/socketio/packet.hpp"

#include <boost/json/parse.hpp>

#include <numeric>

namespace fc::signaling {

Service::Service(rooms::RoomDirectory& rooms, Limits limits, IceProvider ice)
    : rooms_(rooms), limits_(limits), ice_(std::move(ice)) {
    rooms_.set_notifier(this);
}

Service::~Service() {
    rooms_.set_notifier(nullptr);
}

void Service::on_connect(socketio::Socket& socket, std::string_view) {
    conns_.emplace(socket.serial(),
                   Conn{&socket, rooms::TokenBucket(limits_.events, rooms::Clock::now())});
}

void Service::on_disconnect(socketio::Socket& socket, std::string_view) {
    rooms_.leave(socket.serial(), rooms::LeaveReason::disconnected);
    conns_.erase(socket.serial());
}

void Service::on_event(socketio::Socket& socket, const socketio::Event& event) {
    auto it = conns_.find(socket.serial());
    if (it == conns_.end())
        return;
    if (!it->second.bucket.take(limits_.events, rooms::Clock::now())) {
        ++stats_.events_rate_limited;
        return fail(socket, event, rooms::Error::rate_limited);
    }
    if (event.name == "signal")
        return signal(socket, event);
    if (event.name == "join-room")
        return join(socket, event);
    if (event.name == "leave-room")
        return leave(socket, event);
    if (event.name == "probe") { // "are you still there?": a client whose peers went silent
        if (event.ack_id)
            socket.ack(*event.ack_id, encode_ok_ack());
        return;
    }
    fail(socket, event, rooms::Error::bad_request); // unknown event
}

void Service::fail(socketio::Socket& socket, const socketio::Event& event, rooms::Error e) {
    fail(socket, event.ack_id, e);
}

void Service::fail(socketio::Socket& socket, std::optional<std::uint64_t> ack_id, rooms::Error e) {
    ++stats_.errors[static_cast<std::size_t>(e)];
    if (ack_id)
        socket.ack(*ack_id, encode_error_ack(e));
}

void Service::join(socketio::Socket& socket, const socketio::Event& event) {
    if (!event.attachments.empty())
        return fail(socket, event, rooms::Error::bad_request);
    // Joins are rare: a DOM of the (already validated) arguments is fine.
    boost::system::error_code ec;
    const auto args = boost::json::parse(event.raw, ec);
    if (ec || !args.is_array())
        return fail(socket, event, rooms::Error::bad_request);
    auto req = parse_join(args.get_array());
    if (!req)
        return fail(socket, event, req.error());
    // The directory may answer later (a shared one asks its store first),
    // so the answer finds the socket again by its serial and is dropped if
    // the socket has gone meanwhile. The in-memory registry answers before
    // join() returns, after the room heard of the newcomer; sends never
    // tear a session down on the spot (engineio::Session::fail defers the
    // close to a later turn), so the socket is still there then.
    rooms_.join(socket.serial(), *req,
                [this, serial = socket.serial(), ack_id = event.ack_id,
                 room_id = std::string(req->room_id)](rooms::RoomDirectory::JoinResult joined) {
                    answer_join(serial, ack_id, room_id, std::move(joined));
                });
}

void Service::answer_join(rooms::ConnId conn, std::optional<std::uint64_t> ack_id,
                          std::string_view room_id, rooms::RoomDirectory::JoinResult joined) {
    auto it = conns_.find(conn);
    if (it == conns_.end())
        return;
    socketio::Socket& socket = *it->second.socket;
    if (!joined)
        return fail(socket, ack_id, joined.error());
    if (log::enabled(log::Level::info))
        log::info("join", {{"room", rooms::room_tag(room_id)},
                           {"peer", joined->self.peer_id},
                           {"members", std::to_string(joined->peers.size() + 1)}});
    if (ack_id)
        socket.ack(*ack_id, encode_join_ack(*joined, ice_ ? ice_(joined->self.client_id)
                                                          : boost::json::array{}));
}

void Service::signal(socketio::Socket& socket, const socketio::Event& event) {
    std::size_t size = event.raw.size();
    for (const auto& a : event.attachments)
        size += a.size();
    if (size > limits_.max_signal_bytes)
        return fail(socket, event, rooms::Error::too_large);
    auto req = parse_signal(event.raw, event.arg);
    if (!req)
        return fail(socket, event, req.error());
    if (!placeholders_in_payload(event.raw, req->payload_raw, event.attachments.size()))
        return fail(socket, event, rooms::Error::bad_request);
    const rooms::Member* self = rooms_.member(socket.serial());
    if (!self)
        return fail(socket, event, rooms::Error::unknown_peer);
    auto target = rooms_.route(socket.serial(), req->to());
    auto conn = target ? conns_.find(*target) : conns_.end();
    if (conn == conns_.end()) {
        // Not here: on another server of a cluster, perhaps. Its server
        // tells it; the sender hears ok once the signal is on its way.
        if (target || !rooms_.forward(socket.serial(), req->to(), encode_signal(self->peer_id, *req),
                                      event.attachments))
            return fail(socket, event, rooms::Error::unknown_peer);
        // Counted by the directory (fc_cluster_signals_out_total).
        if (event.ack_id)
            socket.ack(*event.ack_id, encode_ok_ack());
        return;
    }
    // Assembled straight into the target's frame.
    const SignalPieces out = signal_pieces(self->peer_id, *req);
    // False when the target's session is closing or just overflowed its
    // queue: the signal is lost and the target is as good as gone (its
    // peer-left follows), so the sender hears unknown-peer, not ok. The
    // sender's `socket` is still valid: closes are deferred.
    if (!conn->second.socket->emit_pieces(out, event.attachments))
        return fail(socket, event, rooms::Error::unknown_peer);
    ++stats_.relays;
    for (std::string_view piece : out)
        stats_.relay_bytes += piece.size();
    if (event.ack_id)
        socket.ack(*event.ack_id, encode_ok_ack());
}

void Service::leave(socketio::Socket& socket, const socketio::Event& event) {
    const bool was_in = rooms_.leave(socket.serial(), rooms::LeaveReason::left);
    if (!was_in)
        return fail(socket, event, rooms::Error::not_in_room);
    if (event.ack_id)
        socket.ack(*event.ack_id, encode_ok_ack());
}

void Service::broadcast(std::span<const rooms::ConnId> to, const std::string& array_json) {
    if (to.empty())
        return;
    // Encoded once; every recipient's queue shares the same bytes.
    const auto frame = socketio::encode(socketio::PacketType::event, "/", array_json);
    for (rooms::ConnId c : to)
        if (auto it = conns_.find(c); it != conns_.end())
            it->second.socket->send(frame);
}

void Service::peer_joined(std::span<const rooms::ConnId> to, const rooms::Member& who) {
    broadcast(to, encode_peer_joined(who));
}

void Service::peer_left(std::span<const rooms::ConnId> to, std::string_view peer_id,
                        rooms::LeaveReason reason) {
    broadcast(to, encode_peer_left(peer_id, reason));
}

void Service::relayed(rooms::ConnId to, std::string_view event_json,
                      std::span<const std::string> attachments) {
    if (auto it = conns_.find(to); it != conns_.end() && it->second.socket->emit(event_json, attachments)) {
        ++stats_.relays;
        stats_.relay_bytes += event_json.size();
    }
}

void Service::replaced(rooms::ConnId conn) {
    // Tell the stale connection (if it still hears us) that it lost its
    // seat, so an old tab that wakes up does not think it is still in.
    if (auto it = conns_.find(conn); it != conns_.end())
        it->second.socket->emit(R"(["replaced",{}])");
}

} // namespace fc::signaling
