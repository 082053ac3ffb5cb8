// The one clock of the rooms layer: monotonic, so rate limits and grace
// periods survive wall-clock jumps (NTP on a festival laptop).
#pragma once

#include <chrono>

namespace fc::rooms {

using Clock = std::chrono::steady_clock;

} // namespace fc::rooms
