// Sockets that wait to be read without a buffer of their own (see
// read_ready.hpp), in one level-triggered epoll set that the event loop
// watches as a single descriptor. Asio's async_wait re-arms a socket's
// registration (an epoll_ctl) before every read; here a socket is added
// once, and a turn of the loop costs one re-arm however many sockets it
// reads. One per event loop, used from its thread only.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <memory>
#include <vector>

namespace fc::websocket {

class ReadySet {
public:
    // Told when its socket has bytes, an end or an error: a read says
    // which. A reader that leaves bytes unread is told again next turn.
    class Reader {
    public:
        virtual void on_readable() = 0;

    protected:
        ~Reader() = default;
    };

    // Throws boost::system::system_error when the epoll set cannot be made.
    explicit ReadySet(const boost::asio::any_io_executor& executor);
    ~ReadySet();
    ReadySet(const ReadySet&) = delete;
    ReadySet& operator=(const ReadySet&) = delete;

    // Watches `fd` for reading and keeps `reader` alive until remove(fd).
    // False (errno says why) when the kernel refuses.
    bool add(int fd, std::shared_ptr<Reader> reader);
    // Stops watching `fd`; call it before the socket is closed. Safe from
    // inside any reader's on_readable.
    void remove(int fd);

private:
    void wait();
    void on_ready();

    boost::asio::posix::stream_descriptor epoll_;
    std::vector<std::shared_ptr<Reader>> readers_; // by descriptor
    std::shared_ptr<char> alive_;                  // watched by the wait in flight
};

} // namespace fc::websocket
