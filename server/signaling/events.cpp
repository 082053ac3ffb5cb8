#include "server/signaling/events.hpp"

#include "server/rooms/ids.hpp"
#include "server/signaling/json_span.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <vector>

namespace fc::signaling {

namespace json = boost::json;

Result<rooms::JoinRequest> parse_join(const json::array& args) {
    if (args.size() < 2 || !args[1].is_object())
        return rooms::Error::bad_request;
    const auto& o = args[1].get_object();
    const auto* room = o.if_contains("roomId");
    const auto* client = o.if_contains("clientId");
    const auto* name = o.if_contains("displayName");
    if (!room || !room->is_string() || !client || !client->is_string())
        return rooms::Error::bad_request;
    if (name && !name->is_string() && !name->is_null())
        return rooms::Error::bad_request;
    rooms::JoinRequest req;
    req.room_id = room->get_string();
    req.client_id = client->get_string();
    if (name && name->is_string())
        req.display_name = name->get_string();
    if (!rooms::valid_room_id(req.room_id))
        return rooms::Error::invalid_room;
    if (!rooms::valid_client_id(req.client_id) || !rooms::valid_display_name(req.display_name))
        return rooms::Error::bad_request;
    return req;
}

Result<SignalRequest> parse_signal(const json::array& args, std::string_view raw) {
    if (args.size() < 2 || !args[1].is_object())
        return rooms::Error::bad_request;
    const auto& o = args[1].get_object();
    const auto* to = o.if_contains("to");
    const auto* type = o.if_contains("type");
    if (!to || !to->is_string() || !type || !type->is_string() ||
        type->get_string().size() > kMaxSignalType)
        return rooms::Error::bad_request;

    // The payload travels as the sender wrote it: find its raw text.
    std::vector<std::string_view> elements;
    std::vector<std::pair<std::string_view, std::string_view>> members;
    if (!array_elements(raw, elements) || elements.size() < 2 ||
        !object_members(elements[1], members))
        return rooms::Error::bad_request;
    SignalRequest s;
    s.to = to->get_string();
    s.payload_raw = "null";
    bool seen_type = false, seen_payload = false;
    for (const auto& [key, value] : members) {
        if (key.find('\\') != std::string_view::npos)
            return rooms::Error::bad_request; // escaped keys: ambiguous, refuse
        if (key == "type") {
            if (seen_type)
                return rooms::Error::bad_request;
            seen_type = true;
            s.type_raw = value;
        } else if (key == "payload") {
            if (seen_payload)
                return rooms::Error::bad_request;
            seen_payload = true;
            s.payload_raw = value;
        }
    }
    if (!seen_type)
        return rooms::Error::bad_request;
    return s;
}

namespace {
json::object member_json(const rooms::Member& m) {
    json::object o;
    o["peerId"] = m.peer_id;
    o["clientId"] = m.client_id;
    o["displayName"] = m.display_name;
    return o;
}
} // namespace

std::string encode_peer_joined(const rooms::Member& m) {
    return R"(["peer-joined",)" + json::serialize(member_json(m)) + "]";
}

std::string encode_peer_left(std::string_view peer_id, rooms::LeaveReason reason) {
    json::object o;
    o["peerId"] = peer_id;
    o["reason"] = rooms::to_string(reason);
    return R"(["peer-left",)" + json::serialize(o) + "]";
}

std::string encode_signal(std::string_view from, const SignalRequest& s) {
    std::string out;
    out.reserve(48 + from.size() + s.type_raw.size() + s.payload_raw.size());
    out += R"(["signal",{"from":")";
    out += from; // server-made peer ids need no escaping
    out += R"(","type":)";
    out += s.type_raw;
    out += R"(,"payload":)";
    out += s.payload_raw;
    out += "}]";
    return out;
}

std::string encode_join_ack(const rooms::Joined& joined, const json::array& ice_servers) {
    json::object o;
    o["ok"] = true;
    o["peerId"] = joined.self->peer_id;
    json::array peers;
    peers.reserve(joined.peers.size());
    for (const auto* m : joined.peers)
        peers.emplace_back(member_json(*m));
    o["peers"] = std::move(peers);
    o["iceServers"] = ice_servers;
    return "[" + json::serialize(o) + "]";
}

std::string encode_ok_ack() {
    return R"([{"ok":true}])";
}

std::string encode_error_ack(rooms::Error e) {
    json::object err;
    err["code"] = rooms::code(e);
    err["message"] = rooms::message(e);
    json::object o;
    o["ok"] = false;
    o["error"] = std::move(err);
    return "[" + json::serialize(o) + "]";
}

} // namespace fc::signaling
