// The memory the server may hold for all clients together: queued frames,
// frames being written, incomplete WebSocket frames and messages, binary
// attachments waiting for the rest of their packet. Each client is also
// bounded on its own (Settings::max_queued_bytes); this is the bound on
// their sum, so a thousand clients each just under their own limit cannot
// exhaust the machine. Touched only on the io thread: plain integers.
//
// What clients send and the server buffers until it is complete (input)
// may use only half of it: those bytes are the sender's choice, and a
// flood of incomplete frames must not leave no room for what the server
// sends to everyone else.
#pragma once

#include <algorithm>
#include <cstddef>

namespace fc::engineio {

class MemoryBudget {
public:
    explicit MemoryBudget(std::size_t limit) : limit_(limit) {}

    // Takes `n` bytes if they fit; false (and nothing taken) if not.
    bool take(std::size_t n) {
        if (n > limit_ - used_)
            return false;
        used_ += n;
        if (used_ > peak_)
            peak_ = used_;
        return true;
    }
    void give(std::size_t n) { used_ -= n <= used_ ? n : used_; }

    // The same for input, within its half, for a connection that would
    // then hold `connection_input` bytes of input. Up to kInputFloor per
    // connection is exempt from the half (only the whole budget bounds
    // it): a flood of large incomplete messages fills the half, and a
    // phone's next signal split over two reads must still get through.
    static constexpr std::size_t kInputFloor = 64 * 1024;
    bool take_input(std::size_t n, std::size_t connection_input) {
        if (connection_input > kInputFloor && n > limit_ / 2 - std::min(input_used_, limit_ / 2))
            return false;
        if (!take(n))
            return false;
        input_used_ += n;
        return true;
    }
    void give_input(std::size_t n) {
        n = n <= input_used_ ? n : input_used_;
        input_used_ -= n;
        give(n);
    }

    std::size_t used() const { return used_; }
    std::size_t input_used() const { return input_used_; }
    std::size_t peak() const { return peak_; }
    std::size_t limit() const { return limit_; }

private:
    std::size_t limit_;
    std::size_t used_ = 0;
    std::size_t input_used_ = 0;
    std::size_t peak_ = 0;
};

} // namespace fc::engineio
