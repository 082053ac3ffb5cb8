// The layout of one gather write on a WebSocket connection: control bytes
// (the 101, a pong, a close frame), then each queued frame as an RFC 6455
// header and its payload.
//
// Small payloads are copied next to their headers into one staging buffer,
// so a burst of N small frames is one or a few buffers, not 2N: Asio's
// composed write hands at most 16 buffers to each sendmsg, which split a
// burst of 16 relayed signals into two syscalls. A copy of a few hundred
// bytes costs far less than a syscall; large payloads (a big SDP) are still
// referenced in place.
//
// The staging buffer is held only while a write is in flight: between
// writes it waits in a small per-thread pool, so an idle connection holds
// none and a busy server does not allocate one per write.
#pragma once

#include "server/engineio/packet.hpp"

#include <boost/asio/buffer.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fc::engineio {

class WriteBatch {
public:
    // Payloads up to this size are copied into the staging buffer.
    static constexpr std::size_t kCopyBytes = 1024;

    // Lays out `control` then `frames`; the buffers view the staging
    // buffer and the frames' bytes, so both must outlive the write.
    void build(std::string_view control, std::span<const FramePtr> frames);

    const std::vector<boost::asio::const_buffer>& buffers() const { return buffers_; }

    // What is not written yet, after consume().
    std::span<const boost::asio::const_buffer> pending() const {
        return std::span<const boost::asio::const_buffer>(buffers_).subspan(first_);
    }
    // `n` more bytes were written.
    void consume(std::size_t n);

    // After the write: forgets the layout and hands the staging buffer
    // back to the pool; a burst's long buffer list is given back too.
    void clear();

    // Storage for staged bytes, as the pool keeps it.
    struct Staging {
        std::unique_ptr<char[]> data;
        std::size_t capacity = 0;
    };

private:
    Staging staging_;
    std::vector<boost::asio::const_buffer> buffers_;
    std::size_t first_ = 0; // buffers_ before this one are written
};

} // namespace fc::engineio
