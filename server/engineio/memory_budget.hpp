// The memory the server may hold for all clients together: queued frames,
// frames being written, incomplete WebSocket frames and messages, binary
// attachments waiting for the rest of their packet. Each client is also
// bounded on its own (Settings::max_queued_bytes); this is the bound on
// their sum, so a thousand clients each just under their own limit cannot
// exhaust the machine. Touched only on the io thread: plain integers.
#pragma once

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

    std::size_t used() const { return used_; }
    std::size_t peak() const { return peak_; }
    std::size_t limit() const { return limit_; }

private:
    std::size_t limit_;
    std::size_t used_ = 0;
    std::size_t peak_ = 0;
};

} // namespace fc::engineio
