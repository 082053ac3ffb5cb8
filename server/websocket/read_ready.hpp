// Reading a socket that said it is readable (ReadySet, or an async_wait),
// without a buffer of its own: the bytes land in one scratch buffer per
// thread, valid until the next read on that thread. A connection that
// waits this way holds no read buffer while idle; only what it cannot
// consume at once (an incomplete frame) needs keeping.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <span>

namespace fc::websocket {

// Reads what `socket` (in non-blocking mode) has. Empty with no error:
// nothing after all, wait again. An error (end of stream included) ends
// the connection.
std::span<char> read_ready(boost::asio::ip::tcp::socket& socket, boost::system::error_code& ec);

} // namespace fc::websocket
