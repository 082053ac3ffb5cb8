// Socket.IO packets: any text, no crash; a decoded packet re-encodes to
// the same text; decoding without the tree gives the same verdict and the
// event name the tree holds. The JSON scanner behind decode must agree
// with boost::json::parse (tried on the text after the packet type); so
// must our own event scanner whenever it accepts, and the members it notes
// of an event's argument object must be that object's, in order.
#include "server/socketio/json_scanner.hpp"
#include "server/socketio/json_shape.hpp"
#include "server/socketio/packet.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

using namespace fc::socketio;
namespace json = boost::json;

// An array's element 0 as an event name: its text when a string.
std::string_view name_of(const json::value& first) {
    return first.is_string() ? std::string_view(first.get_string()) : std::string_view();
}

void check_members(const json::array& a, const ArgMembers& arg, std::string_view text);

void check_scanner(std::string_view text) {
    boost::system::error_code ec;
    const json::value v = json::parse(text, ec);
    const auto shape = scan_json(text);
    if (ec) {
        if (shape || shape.error() != ec)
            std::abort();
        return;
    }
    if (!shape || shape->kind != v.kind())
        std::abort();
    JsonShape fast;
    if (scan_event_json(text, fast) &&
        (fast.kind != shape->kind || fast.size != shape->size || fast.first != shape->first ||
         fast.first_string != shape->first_string))
        std::abort();
    const auto* a = v.if_array();
    if (!a)
        return;
    if (shape->size != a->size())
        std::abort();
    if (a->empty())
        return;
    const json::value& first = (*a)[0];
    if (shape->first != first.kind() || shape->first_string != name_of(first))
        std::abort();
    check_members(*a, shape->arg, text);
}

// The members noted of element 1: each key a string's inside, each value
// JSON, in order within the text; the object's own, value for value, when
// no key repeats.
void check_members(const json::array& a, const ArgMembers& arg, std::string_view text) {
    if (!arg.known)
        return;
    const json::object* o = a.size() >= 2 ? a[1].if_object() : nullptr;
    if (!o || arg.count > ArgMembers::kMax)
        std::abort();
    const char* at = text.data();
    json::array keys, values;
    for (std::size_t i = 0; i < arg.count; ++i) {
        const JsonMember& m = arg.items[i];
        if (m.key.data() < at || m.value.data() < m.key.data() + m.key.size() ||
            m.value.data() + m.value.size() > text.data() + text.size())
            std::abort();
        at = m.value.data() + m.value.size();
        boost::system::error_code ec;
        keys.push_back(json::parse("\"" + std::string(m.key) + "\"", ec));
        if (ec || !keys.back().is_string())
            std::abort();
        values.push_back(json::parse(m.value, ec));
        if (ec)
            std::abort();
    }
    for (std::size_t i = 0; i < keys.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (keys[i] == keys[j])
                return; // which of two equal keys the tree keeps is its own choice
    if (o->size() != arg.count)
        std::abort();
    for (std::size_t i = 0; i < keys.size(); ++i)
        if (o->at(keys[i].get_string()) != values[i])
            std::abort();
}

void check_decode(std::string_view text) {
    const auto p = decode(text);
    const auto lean = decode(text, JsonTree::skip);
    if (p.has_value() != lean.has_value())
        std::abort();
    if (!p) {
        if (p.error() != lean.error())
            std::abort();
        return;
    }
    if (lean->type != p->type || lean->nsp != p->nsp || lean->id != p->id ||
        lean->data != p->data || lean->attachments != p->attachments || lean->name != p->name)
        std::abort();
    if (p->type == PacketType::event || p->type == PacketType::binary_event) {
        if (p->name != name_of(p->json.as_array().at(0)))
            std::abort();
    }
    auto frame = encode(p->type, p->nsp, p->data, p->id, p->attachments);
    auto again = decode(std::string_view(frame->bytes).substr(1));
    if (!again || again->type != p->type || again->nsp != p->nsp || again->id != p->id ||
        again->data != p->data || again->attachments != p->attachments)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_decode(text);
    if (!text.empty())
        check_scanner(text.substr(1));
    return 0;
}
