#include "server/rooms/rate_limiter.hpp"

#include <algorithm>

namespace fc::rooms {

namespace {
double refilled(double tokens, const RateLimit& limit, Clock::time_point last,
                Clock::time_point now) {
    const double secs = std::chrono::duration<double>(now - last).count();
    return std::min(limit.burst, tokens + std::max(0.0, secs) * limit.per_second);
}
} // namespace

bool TokenBucket::take(const RateLimit& limit, Clock::time_point now, double cost) {
    if (limit.burst <= 0)
        return true;
    tokens_ = refilled(tokens_, limit, last_, now);
    last_ = now;
    if (tokens_ < cost)
        return false;
    tokens_ -= cost;
    return true;
}

bool TokenBucket::full(const RateLimit& limit, Clock::time_point now) const {
    return refilled(tokens_, limit, last_, now) >= limit.burst;
}

bool KeyedRateLimiter::take(std::string_view key, Clock::time_point now) {
    if (limit_.burst <= 0)
        return true;
    auto it = buckets_.find(std::string(key));
    if (it == buckets_.end())
        it = buckets_.emplace(std::string(key), TokenBucket(limit_, now)).first;
    return it->second.take(limit_, now);
}

void KeyedRateLimiter::prune(Clock::time_point now) {
    std::erase_if(buckets_, [&](const auto& kv) { return kv.second.full(limit_, now); });
}

} // namespace fc::rooms
