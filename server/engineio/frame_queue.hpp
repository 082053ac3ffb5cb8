// A FIFO of outgoing frames that allocates nothing while empty (std::deque
// allocates on construction, which 100k idle sessions would pay for).
#pragma once

#include "server/engineio/packet.hpp"

#include <cstddef>
#include <iterator>
#include <vector>

namespace fc::engineio {

class FrameQueue {
public:
    bool empty() const { return head_ == frames_.size(); }
    std::size_t bytes() const { return bytes_; }

    void push(FramePtr frame) {
        bytes_ += frame->bytes.size();
        frames_.push_back(std::move(frame));
    }

    FramePtr pop() {
        FramePtr f = std::move(frames_[head_++]);
        bytes_ -= f->bytes.size();
        if (head_ == frames_.size()) {
            frames_.clear();
            head_ = 0;
            if (frames_.capacity() > kKeepCapacity)
                frames_.shrink_to_fit();
        }
        return f;
    }

    // Moves every queued frame, in order, to the end of `out` and leaves
    // the queue empty. When `out` is empty the two trade storage, so a
    // busy connection does not allocate per write.
    void take_all(std::vector<FramePtr>& out) {
        if (out.empty() && head_ == 0) {
            out.swap(frames_);
        } else {
            out.insert(out.end(),
                       std::make_move_iterator(frames_.begin() + static_cast<std::ptrdiff_t>(head_)),
                       std::make_move_iterator(frames_.end()));
        }
        frames_.clear();
        head_ = 0;
        bytes_ = 0;
    }

    void clear() {
        frames_.clear();
        frames_.shrink_to_fit();
        head_ = 0;
        bytes_ = 0;
    }

private:
    static constexpr std::size_t kKeepCapacity = 16;
    std::vector<FramePtr> frames_;
    std::size_t head_ = 0;
    std::size_t bytes_ = 0;
};

} // namespace fc::engineio
