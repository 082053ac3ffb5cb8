// Where a signal's binary attachments are referenced: the relay forwards
// only `type` and `payload`, so every attachment's placeholder must lie in
// the payload, or the receiver would get binary its JSON never mentions.
#pragma once

#include <cstddef>
#include <string_view>

namespace fc::signaling {

// True when each of the `attachments` placeholders
// ({"_placeholder":true,"num":N}, keys in any order or escaped) lies inside
// `payload` with every N in 0..attachments-1 exactly once, and no
// placeholder lies anywhere else in `event` (the whole event array text).
// `payload` should be a view into `event`; one that is not (the "null" of
// an absent payload) holds nothing. A placeholder object with a repeated
// `_placeholder` or `num`, or a `num` that is not a plain non-negative
// integer, is refused as ambiguous. Always true without attachments.
// Made for validated JSON (socketio::decode), but returns false on any
// text, never throws, and recurses at most kMaxDepth levels.
bool placeholders_in_payload(std::string_view event, std::string_view payload,
                             std::size_t attachments);

} // namespace fc::signaling
