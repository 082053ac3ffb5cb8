#include "server/socketio/json_shape.hpp"

#include "server/socketio/json_scanner.hpp"

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <cstdint>

namespace fc::socketio {

namespace json = boost::json;

namespace {

// Sees every value once, at its start (containers) or end (scalars), and
// records the top-level value and the first element of a top-level array.
class ShapeHandler {
public:
    // The limits the DOM parser has (boost/json/detail/handler.hpp).
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    JsonShape shape;

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }

    bool on_array_begin(json::error_code&) { return begin(json::kind::array); }
    bool on_array_end(std::size_t, json::error_code&) { return end(); }
    bool on_object_begin(json::error_code&) { return begin(json::kind::object); }
    bool on_object_end(std::size_t, json::error_code&) { return end(); }

    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        if (at_first())
            shape.first_string.append(s.data(), s.size());
        return true;
    }
    bool on_string(json::string_view s, std::size_t n, json::error_code& ec) {
        on_string_part(s, n, ec);
        return value(json::kind::string);
    }
    bool on_key_part(json::string_view, std::size_t, json::error_code&) { return true; }
    bool on_key(json::string_view, std::size_t, json::error_code&) { return true; }

    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t, json::string_view, json::error_code&) {
        return value(json::kind::int64);
    }
    bool on_uint64(std::uint64_t, json::string_view, json::error_code&) {
        return value(json::kind::uint64);
    }
    bool on_double(double, json::string_view, json::error_code&) {
        return value(json::kind::double_);
    }
    bool on_bool(bool, json::error_code&) { return value(json::kind::bool_); }
    bool on_null(json::error_code&) { return value(json::kind::null); }

    // Comments are off (default parse_options): never called.
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    // Inside a top-level array, before its first element is complete.
    bool at_first() const {
        return depth_ == 1 && shape.kind == json::kind::array && shape.size == 0;
    }
    bool value(json::kind k) {
        if (depth_ == 0)
            shape.kind = k;
        else if (depth_ == 1 && shape.kind == json::kind::array && shape.size++ == 0)
            shape.first = k;
        return true;
    }
    bool begin(json::kind k) {
        value(k);
        ++depth_;
        return true;
    }
    bool end() {
        --depth_;
        return true;
    }

    std::size_t depth_ = 0;
};

} // namespace

boost::system::result<JsonShape> scan_json(std::string_view text) {
    // The hot path: events, read by our scanner in one pass. Whatever it
    // does not accept (mostly: other packets, and invalid text) Boost.JSON
    // reads and judges, so the verdict and any error are always Boost.JSON's.
    if (JsonShape shape; scan_event_json(text, shape))
        return shape;
    json::basic_parser<ShapeHandler> parser{json::parse_options{}};
    json::error_code ec;
    const std::size_t n = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && n < text.size())
        ec = json::error::extra_data; // as boost::json::parse
    if (ec)
        return ec;
    return std::move(parser.handler().shape);
}

} // namespace fc::socketio
