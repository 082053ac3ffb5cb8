// Raw spans of values inside JSON text that has already been validated
// (by Boost.JSON): what lets the relay pass a signal's payload on byte for
// byte instead of re-serialising it.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace fc::signaling {

// End of the JSON value starting at `pos` (leading whitespace skipped), or
// npos if the text is not a value there.
std::size_t skip_value(std::string_view text, std::size_t pos);

// The elements of a JSON array text.
bool array_elements(std::string_view text, std::vector<std::string_view>& out);

// The members of a JSON object text: raw key (between the quotes, escapes
// left as they are) and raw value.
bool object_members(std::string_view text,
                    std::vector<std::pair<std::string_view, std::string_view>>& out);

} // namespace fc::signaling
