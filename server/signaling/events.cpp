#include "server/signaling/events.hpp"

#include "server/rooms/ids.hpp"
#include "server/signaling/json_span.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace fc::signaling {

namespace {
// `[` + json + `]`, appended: g++ 12 at -O3 warns (-Wrestrict, a known
// false positive) on `"[" + std::string`.
std::string in_array(const std::string& json) {
    std::string out;
    out.reserve(json.size() + 2);
    out += '[';
    out += json;
    out += ']';
    return out;
}
} // namespace

namespace json = boost::json;

Result<rooms::JoinRequest> parse_join(const json::array& args) {
    if (args.size() < 2 || !args[1].is_object())
        return rooms::Error::bad_request;
    const auto& o = args[1].get_object();
    const auto* room = o.if_contains("roomId");
    const auto* client = o.if_contains("clientId");
    const auto* name = o.if_contains("displayName");
    const auto* token = o.if_contains("resumeToken");
    if (!room || !room->is_string() || !client || !client->is_string())
        return rooms::Error::bad_request;
    if (name && !name->is_string() && !name->is_null())
        return rooms::Error::bad_request;
    // Unlike displayName, null is no way to say "none": a client that sends
    // the field means to protect its identity, and must not silently not.
    if (token && (!token->is_string() || !rooms::valid_resume_token(token->get_string())))
        return rooms::Error::bad_request;
    rooms::JoinRequest req;
    req.room_id = room->get_string();
    req.client_id = client->get_string();
    if (name && name->is_string())
        req.display_name = name->get_string();
    if (token)
        req.resume_token = token->get_string();
    if (!rooms::valid_room_id(req.room_id))
        return rooms::Error::invalid_room;
    if (!rooms::valid_client_id(req.client_id) || !rooms::valid_display_name(req.display_name))
        return rooms::Error::bad_request;
    return req;
}

namespace {

bool is_string(std::string_view raw) {
    return !raw.empty() && raw.front() == '"';
}

bool has_escapes(std::string_view raw) {
    return raw.find('\\') != std::string_view::npos;
}

} // namespace

namespace {

// The argument object's members, taken one at a time.
class SignalFields {
public:
    // False when the member makes the signal ambiguous.
    bool take(std::string_view key, std::string_view value) {
        if (has_escapes(key))
            return false; // escaped keys: ambiguous, refuse
        // Parsers disagree on a repeated key (first, last, error): a check
        // made on one reading must not route by another.
        if (key == "to")
            return once(seen_to_, to, value);
        if (key == "type")
            return once(seen_type_, type, value);
        if (key == "payload")
            return once(seen_payload_, payload, value);
        return true;
    }

    std::string_view to;
    std::string_view type;
    std::string_view payload = "null";

private:
    static bool once(bool& seen, std::string_view& field, std::string_view value) {
        if (seen)
            return false;
        seen = true;
        field = value;
        return true;
    }

    bool seen_to_ = false, seen_type_ = false, seen_payload_ = false;
};

} // namespace

Result<SignalRequest> parse_signal(std::string_view raw, const socketio::ArgMembers* members) {
    SignalFields fields;
    if (members) {
        for (std::size_t i = 0; i < members->count; ++i)
            if (!fields.take(members->items[i].key, members->items[i].value))
                return rooms::Error::bad_request;
    } else {
        const auto arg = from_element(raw, 1);
        if (!arg)
            return rooms::Error::bad_request;
        MemberReader reader(*arg);
        while (const auto m = reader.next())
            if (!fields.take(m->key, m->value))
                return rooms::Error::bad_request;
        if (!reader.ok())
            return rooms::Error::bad_request;
    }
    if (!is_string(fields.to) || !is_string(fields.type))
        return rooms::Error::bad_request;
    SignalRequest s;
    s.type_raw = fields.type;
    s.payload_raw = fields.payload;
    const std::string_view to = fields.to;
    const std::string_view type_text = s.type_raw.substr(1, s.type_raw.size() - 2);
    const std::size_t type_size = has_escapes(type_text)
                                      ? decode_string(type_text).value_or(std::string()).size()
                                      : type_text.size();
    if (type_size > kMaxSignalType)
        return rooms::Error::bad_request;
    s.to_text = to.substr(1, to.size() - 2);
    if (has_escapes(s.to_text))
        s.to_unescaped = decode_string(s.to_text).value_or(std::string());
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

SignalPieces signal_pieces(std::string_view from, const SignalRequest& s) {
    // Server-made peer ids need no escaping; type and payload are the
    // sender's JSON text, as validated.
    return {R"(["signal",{"from":")",
            from,
            R"(","type":)",
            s.type_raw,
            R"(,"payload":)",
            s.payload_raw,
            "}]"};
}

std::string encode_signal(std::string_view from, const SignalRequest& s) {
    const SignalPieces pieces = signal_pieces(from, s);
    std::size_t size = 0;
    for (std::string_view piece : pieces)
        size += piece.size();
    std::string out;
    out.reserve(size);
    for (std::string_view piece : pieces)
        out += piece;
    return out;
}

std::string encode_join_ack(const rooms::Joined& joined, const json::array& ice_servers) {
    json::object o;
    o["ok"] = true;
    o["peerId"] = joined.self.peer_id;
    json::array peers;
    peers.reserve(joined.peers.size());
    for (const auto& m : joined.peers)
        peers.emplace_back(member_json(m));
    o["peers"] = std::move(peers);
    o["iceServers"] = ice_servers;
    return in_array(json::serialize(o));
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
    return in_array(json::serialize(o));
}

} // namespace fc::signaling
