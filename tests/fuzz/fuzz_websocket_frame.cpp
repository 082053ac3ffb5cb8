// WebSocket frames from a client: any bytes, fed in arbitrary splits, never
// crash the reader, never make it read past what it was given, and every
// event consumes bytes (so a transport's loop always ends).
#include "server/websocket/frame.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    // The first byte picks where the input is split into reads.
    const std::size_t step = 1 + data[0] % 64;
    std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
    fc::websocket::Reader reader(4096);
    std::string buffered;
    for (std::size_t at = 0; at < input.size(); at += step) {
        buffered.append(input, at, step);
        std::size_t used = 0;
        for (;;) {
            std::vector<char> copy(buffered.begin() + static_cast<std::ptrdiff_t>(used),
                                   buffered.end()); // exact size: ASan sees overreads
            auto e = reader.next(copy.data(), copy.size());
            using Kind = fc::websocket::Event::Kind;
            if (e.kind == Kind::need_more)
                break;
            if (e.kind == Kind::error)
                return 0;
            if (e.consumed == 0 || e.consumed > copy.size())
                std::abort();
            // Payloads are unmasked in place: carry that into the buffer.
            std::copy(copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(e.consumed),
                      buffered.begin() + static_cast<std::ptrdiff_t>(used));
            used += e.consumed;
        }
        buffered.erase(0, used);
    }
    return 0;
}
