// Event arguments as JSON: join-room and signal decoding, and the raw span
// scanner on text Boost.JSON accepted. A relayed signal must itself be
// valid JSON that decodes back to the same payload.
#include "server/signaling/events.hpp"
#include "server/signaling/json_span.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    boost::system::error_code ec;
    auto value = boost::json::parse(text, ec);
    if (ec)
        return 0;
    std::vector<std::string_view> elements;
    std::vector<std::pair<std::string_view, std::string_view>> members;
    (void)fc::signaling::array_elements(text, elements);
    (void)fc::signaling::object_members(text, members);
    if (!value.is_array())
        return 0;
    const auto& args = value.get_array();
    (void)fc::signaling::parse_join(args);
    if (auto s = fc::signaling::parse_signal(args, text)) {
        const auto out = fc::signaling::encode_signal("p_fuzz", *s);
        auto relayed = boost::json::parse(out, ec);
        if (ec)
            std::abort();
        const auto* payload = args[1].as_object().if_contains("payload");
        const auto& got = relayed.as_array()[1].as_object().at("payload");
        if (payload ? got != *payload : !got.is_null())
            std::abort();
    }
    return 0;
}
