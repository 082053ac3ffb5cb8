// Raw spans of values inside JSON text that has already been validated
// (by Boost.JSON): what lets the relay pass a signal's payload on byte for
// byte instead of re-serialising it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fc::signaling {

// End of the JSON value starting at `pos` (leading whitespace skipped), or
// npos if the text is not a value there.
std::size_t skip_value(std::string_view text, std::size_t pos);

// The text of a JSON array from the start of element `index` to the end
// (not that element's end: the readers below stop there by themselves, so
// the element is not scanned twice). nullopt when the text is not an array
// or has fewer elements.
std::optional<std::string_view> from_element(std::string_view text, std::size_t index);

// The text of a JSON string, escapes decoded: `raw` is what lies between
// its quotes (a MemberReader key, or a string value without its quotes).
// nullopt when that is not a valid string's content. For the rare escaped
// key or id: no client escapes plain ASCII.
std::optional<std::string> decode_string(std::string_view raw);

// The members of the JSON object at the start of `text` (what follows it is
// ignored), read one at a time and stored nowhere:
//   MemberReader members(text);
//   while (auto m = members.next()) use(m->key, m->value);
//   if (!members.ok()) ... // not an object
class MemberReader {
public:
    struct Member {
        std::string_view key;   // between the quotes, escapes left as they are
        std::string_view value; // raw JSON text
    };

    explicit MemberReader(std::string_view text);
    // The next member; nullopt at the end or on text that is not an object.
    std::optional<Member> next();
    bool ok() const { return ok_; }

private:
    std::nullopt_t fail();

    std::string_view text_;
    std::size_t pos_ = 0; // where the next member starts
    bool ok_ = true;
    bool done_ = false;
};

} // namespace fc::signaling
