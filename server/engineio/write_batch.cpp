#include "server/engineio/write_batch.hpp"

#include "server/websocket/frame.hpp"

#include <algorithm>
#include <cstring>

namespace fc::engineio {

namespace ws = fc::websocket;

namespace {

// The pool's bounds: buffers beyond these are freed, so a burst of
// connections writing at once, or one huge write, leaves nothing behind.
constexpr std::size_t kPoolBuffers = 64;
constexpr std::size_t kPoolBufferBytes = 64 * 1024;
// A new buffer is at least this big, so small writes that grow a little
// reuse it.
constexpr std::size_t kMinStagingBytes = 4096;
// A list of buffers kept between writes: a few staged runs' worth.
constexpr std::size_t kKeepBuffers = 4;

class StagingPool {
public:
    WriteBatch::Staging take(std::size_t bytes) {
        if (!free_.empty() && free_.back().capacity >= bytes) {
            WriteBatch::Staging s = std::move(free_.back());
            free_.pop_back();
            return s;
        }
        const std::size_t capacity = std::max(bytes, kMinStagingBytes);
        return {std::make_unique_for_overwrite<char[]>(capacity), capacity};
    }
    void give(WriteBatch::Staging s) {
        if (s.data && s.capacity <= kPoolBufferBytes && free_.size() < kPoolBuffers)
            free_.push_back(std::move(s));
    }

private:
    std::vector<WriteBatch::Staging> free_;
};

StagingPool& pool() {
    thread_local StagingPool p;
    return p;
}

ws::Opcode opcode(const Frame& f) {
    return f.binary ? ws::Opcode::binary : ws::Opcode::text;
}

} // namespace

void WriteBatch::build(std::string_view control, std::span<const FramePtr> frames) {
    // Sized first, so the staging buffer is big enough from the start.
    std::size_t staged = control.size();
    std::size_t large = 0;
    for (const FramePtr& f : frames) {
        staged += ws::kMaxHeaderSize;
        if (f->bytes.size() <= kCopyBytes)
            staged += f->bytes.size();
        else
            ++large;
    }
    if (!staging_.data || staging_.capacity < staged) {
        pool().give(std::move(staging_));
        staging_ = pool().take(staged);
    }
    buffers_.clear();
    first_ = 0;
    buffers_.reserve(1 + 2 * large);

    char* const base = staging_.data.get();
    char* out = base;
    auto put = [&out](const void* p, std::size_t n) {
        std::memcpy(out, p, n);
        out += n;
    };
    if (!control.empty()) // (none on the relay's path: an empty view's data may be null)
        put(control.data(), control.size());
    const char* run = base; // the staged bytes not yet in a buffer start here
    for (const FramePtr& f : frames) {
        const std::string& bytes = f->bytes;
        out += ws::encode_header(opcode(*f), bytes.size(), reinterpret_cast<unsigned char*>(out));
        if (bytes.size() <= kCopyBytes) {
            put(bytes.data(), bytes.size());
            continue;
        }
        buffers_.emplace_back(run, static_cast<std::size_t>(out - run));
        buffers_.emplace_back(bytes.data(), bytes.size());
        run = out;
    }
    if (out > run)
        buffers_.emplace_back(run, static_cast<std::size_t>(out - run));
}

void WriteBatch::consume(std::size_t n) {
    while (n > 0 && first_ < buffers_.size()) {
        boost::asio::const_buffer& b = buffers_[first_];
        const std::size_t used = std::min(n, b.size());
        b += used;
        n -= used;
        if (b.size() == 0)
            ++first_;
    }
}

void WriteBatch::clear() {
    pool().give(std::move(staging_));
    staging_ = {};
    buffers_.clear();
    first_ = 0;
    if (buffers_.capacity() > kKeepBuffers)
        std::vector<boost::asio::const_buffer>().swap(buffers_);
}

} // namespace fc::engineio
