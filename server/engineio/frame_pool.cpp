#include "server/engineio/frame_pool.hpp"

#include <new>
#include <vector>

namespace fc::engineio {

namespace {

// Whether this thread's pool exists: frames dropped while the thread ends
// (after its pool went) go straight back to the heap. A plain bool, so it
// outlives the pool.
enum class State : unsigned char { unborn, alive, gone };
thread_local State state = State::unborn;

// Recycled frames, and recycled blocks for the shared_ptr control blocks
// (all of one size: one deleter and one allocator type).
struct Pool {
    std::vector<Frame*> frames;
    std::size_t bytes = 0; // the frames' capacities, summed
    std::vector<void*> blocks;
    std::size_t block_size = 0;

    Pool() {
        frames.reserve(FramePool::kKeepFrames);
        blocks.reserve(FramePool::kKeepFrames);
        state = State::alive;
    }
    ~Pool() {
        state = State::gone;
        for (Frame* f : frames)
            delete f;
        for (void* b : blocks)
            ::operator delete(b);
    }
};

Pool& pool() {
    thread_local Pool p;
    return p;
}

struct Recycle {
    void operator()(Frame* f) const noexcept {
        if (state != State::alive) {
            delete f;
            return;
        }
        Pool& p = pool();
        const std::size_t capacity = f->bytes.capacity();
        if (p.frames.size() < FramePool::kKeepFrames && capacity <= FramePool::kKeepBytes &&
            p.bytes + capacity <= FramePool::kKeepTotalBytes) {
            f->bytes.clear();
            f->binary = false;
            p.frames.push_back(f);
            p.bytes += capacity;
        } else {
            delete f;
        }
    }
};

// Hands the control block of a recycled frame's shared_ptr the last block
// given back, when it has the size asked for (it always has: one type).
template <class T> struct BlockAllocator {
    using value_type = T;
    BlockAllocator() = default;
    template <class U> BlockAllocator(const BlockAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        Pool& p = pool();
        const std::size_t size = n * sizeof(T);
        if (size == p.block_size && !p.blocks.empty()) {
            void* b = p.blocks.back();
            p.blocks.pop_back();
            return static_cast<T*>(b);
        }
        return static_cast<T*>(::operator new(size));
    }
    void deallocate(T* t, std::size_t n) noexcept {
        if (state != State::alive) {
            ::operator delete(t);
            return;
        }
        Pool& p = pool();
        const std::size_t size = n * sizeof(T);
        if (p.block_size == 0)
            p.block_size = size;
        if (size == p.block_size && p.blocks.size() < FramePool::kKeepFrames) {
            p.blocks.push_back(t);
            return;
        }
        ::operator delete(t);
    }
    template <class U> bool operator==(const BlockAllocator<U>&) const noexcept { return true; }
};

} // namespace

std::shared_ptr<Frame> FramePool::make(std::size_t capacity) {
    if (state == State::gone) {
        auto f = std::make_shared<Frame>();
        f->bytes.reserve(capacity);
        return f;
    }
    Pool& p = pool();
    Frame* f = nullptr;
    if (!p.frames.empty()) {
        f = p.frames.back();
        p.frames.pop_back();
        p.bytes -= f->bytes.capacity();
    } else {
        f = new Frame;
    }
    std::shared_ptr<Frame> out(f, Recycle{}, BlockAllocator<Frame>{});
    out->bytes.reserve(capacity);
    return out;
}

} // namespace fc::engineio
