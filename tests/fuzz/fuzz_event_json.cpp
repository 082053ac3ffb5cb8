// Event arguments as JSON: join-room and signal decoding, and the raw span
// readers, on text Boost.JSON accepted. parse_signal reads raw text only:
// it must agree with the contract read from the parsed tree (refusing on
// top of it only escaped or repeated keys: to, type, payload), and a relayed signal must
// itself be valid JSON that decodes back to the same payload. Read from
// the members socketio's scan noted, it gives the same answer as from the
// text.
#include "server/signaling/events.hpp"
#include "server/signaling/json_span.hpp"
#include "server/socketio/json_shape.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

namespace json = boost::json;
using namespace fc::signaling;

// The tree's view of a signal's argument object: what parse_signal checks.
bool tree_accepts(const json::array& args) {
    const json::object* o = args.size() >= 2 ? args[1].if_object() : nullptr;
    const json::value* to = o ? o->if_contains("to") : nullptr;
    const json::value* type = o ? o->if_contains("type") : nullptr;
    return to && to->is_string() && type && type->is_string() &&
           type->get_string().size() <= kMaxSignalType;
}

// Escaped keys, or `to`, `type` or `payload` more than once.
bool ambiguous(std::string_view text) {
    MemberReader members(*from_element(text, 1));
    int tos = 0, types = 0, payloads = 0;
    while (const auto m = members.next()) {
        if (m->key.find('\\') != std::string_view::npos)
            return true;
        tos += m->key == "to";
        types += m->key == "type";
        payloads += m->key == "payload";
    }
    return tos > 1 || types > 1 || payloads > 1;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    boost::system::error_code ec;
    auto value = json::parse(text, ec);
    if (ec)
        return 0;
    (void)from_element(text, 0);
    for (MemberReader members(text); members.next();) {
    }
    if (!value.is_array())
        return 0;
    const auto& args = value.get_array();
    (void)parse_join(args);
    const auto s = parse_signal(text);
    if (const auto shape = fc::socketio::scan_json(text); shape && shape->arg.known) {
        const auto noted = parse_signal(text, &shape->arg);
        if (noted.has_value() != s.has_value() || (!s && noted.error() != s.error()) ||
            (s && (noted->to() != s->to() || noted->type_raw != s->type_raw ||
                   noted->payload_raw != s->payload_raw)))
            std::abort();
    }
    if (!tree_accepts(args)) {
        if (s)
            std::abort();
        return 0;
    }
    if (!s) {
        if (!ambiguous(text))
            std::abort();
        return 0;
    }
    const auto& o = args[1].as_object();
    if (s->to() != o.at("to").as_string() || json::parse(s->type_raw) != o.at("type"))
        std::abort();
    const auto out = encode_signal("p_fuzz", *s);
    auto relayed = json::parse(out, ec);
    if (ec)
        std::abort();
    const auto* payload = o.if_contains("payload");
    const auto& got = relayed.as_array()[1].as_object().at("payload");
    if (payload ? got != *payload : !got.is_null())
        std::abort();
    return 0;
}
