// Where frames come from: recycled, with the room their bytes had.
//
// Every relayed signal is one frame, written once and dropped a moment
// later; from the general heap that was two allocations and two frees per
// signal (the shared_ptr's block with the Frame, then its bytes), a tenth
// of a relay's instructions. A frame let go returns here with its string's
// capacity, and the shared_ptr's control blocks are reused the same way.
//
// The pool is per thread (frames are built and dropped on the io thread
// that owns their sessions; one dropped on another thread simply joins that
// thread's pool) and bounded: at most kKeepFrames frames of at most
// kKeepBytes each, and kKeepTotalBytes of bytes in all, wait here, so an
// idle server holds at most 4 MiB of them. It must be that deep: the frames
// of one turn of the event loop (every signal read from up to 128 ready
// connections) all exist before the turn's writes let them go.
#pragma once

#include "server/engineio/packet.hpp"

#include <cstddef>
#include <memory>

namespace fc::engineio {

class FramePool {
public:
    static constexpr std::size_t kKeepFrames = 4096;
    static constexpr std::size_t kKeepBytes = 80 * 1024; // the largest signal's frame
    static constexpr std::size_t kKeepTotalBytes = 4 * 1024 * 1024;

    // An empty text frame whose bytes can take `capacity` without
    // reallocating.
    static std::shared_ptr<Frame> make(std::size_t capacity);
};

} // namespace fc::engineio
