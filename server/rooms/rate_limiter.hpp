// Token buckets: one per connection for events, and a table keyed by IP
// address for new connections (a flood guard, sized for a venue where
// thousands of phones share one NAT address).
#pragma once

#include "server/rooms/clock.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace fc::rooms {

struct RateLimit {
    double burst = 0;      // bucket size; 0 disables the limit
    double per_second = 0; // refill rate
};

class TokenBucket {
public:
    // Starts full.
    TokenBucket(const RateLimit& limit, Clock::time_point now) : tokens_(limit.burst), last_(now) {}
    bool take(const RateLimit& limit, Clock::time_point now, double cost = 1.0);
    // Full again (nothing would be limited): the entry can be forgotten.
    bool full(const RateLimit& limit, Clock::time_point now) const;

private:
    double tokens_;
    Clock::time_point last_;
};

class KeyedRateLimiter {
public:
    explicit KeyedRateLimiter(RateLimit limit) : limit_(limit) {}
    bool take(std::string_view key, Clock::time_point now);
    // Forgets full buckets; call now and then so the table stays small.
    void prune(Clock::time_point now);
    std::size_t size() const { return buckets_.size(); }

private:
    RateLimit limit_;
    std::unordered_map<std::string, TokenBucket> buckets_;
};

} // namespace fc::rooms
