// Timing knobs shared by Client and Subscriber, with why each default.
#pragma once

#include <chrono>

namespace fc::redis {

struct Options {
    // TCP connect plus the first answer (SELECT or PING). A Redis that
    // accepts but does not answer (stopped, or still loading its data set)
    // counts as down: we are not "connected" until it answers.
    std::chrono::milliseconds connect_timeout{2000};
    // Backoff between attempts, doubling from min to max, each wait cut by up
    // to a quarter at random so servers that lost Redis together do not
    // come back in lockstep. The first attempt after start() is immediate;
    // after a lost link we wait `reconnect_min` first.
    std::chrono::milliseconds reconnect_min{100}, reconnect_max{2000};
    // A liveness probe while connected. TCP alone does not notice a Redis
    // that is stopped or behind a dead network path for minutes.
    std::chrono::milliseconds ping_interval{1000};
    // No answer to a probe for this long: the link is dead; we drop it (its
    // pending commands get "ERR disconnected") and reconnect.
    std::chrono::milliseconds ping_timeout{3000};
};

} // namespace fc::redis
