#include "server/websocket/read_ready.hpp"

#include <memory>

namespace fc::websocket {

namespace {
constexpr std::size_t kScratchBytes = 64 * 1024;
} // namespace

std::span<char> read_ready(boost::asio::ip::tcp::socket& socket, boost::system::error_code& ec) {
    thread_local const std::unique_ptr<char[]> scratch(new char[kScratchBytes]);
    const std::size_t n = socket.read_some(boost::asio::buffer(scratch.get(), kScratchBytes), ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
        ec = {};
        return {};
    }
    return {scratch.get(), n};
}

} // namespace fc::websocket
