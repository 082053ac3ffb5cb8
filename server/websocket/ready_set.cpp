#include "server/websocket/ready_set.hpp"

#include <boost/system/system_error.hpp>

#include <cerrno>
#include <sys/epoll.h>

namespace fc::websocket {

namespace {

// Sockets read per turn: a turn is one handler of the event loop, so
// timers and other work get their turn at least this often.
constexpr int kBatch = 256;

int make_epoll() {
    const int fd = ::epoll_create1(EPOLL_CLOEXEC);
    if (fd < 0)
        throw boost::system::system_error(errno, boost::system::system_category(), "epoll_create1");
    return fd;
}

} // namespace

ReadySet::ReadySet(const boost::asio::any_io_executor& executor) : epoll_(executor, make_epoll()) {
    wait();
}

ReadySet::~ReadySet() {
    // The wait in flight ends with operation_aborted and touches nothing.
    boost::system::error_code ignored;
    epoll_.close(ignored);
    // Readers let go here may still use what owns this set: it is whole.
    std::vector<std::shared_ptr<Reader>>().swap(readers_);
}

bool ReadySet::add(int fd, std::shared_ptr<Reader> reader) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.fd = fd;
    if (::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_ADD, fd, &ev) != 0)
        return false;
    if (readers_.size() <= static_cast<std::size_t>(fd))
        readers_.resize(static_cast<std::size_t>(fd) + 1);
    readers_[static_cast<std::size_t>(fd)] = std::move(reader);
    return true;
}

void ReadySet::remove(int fd) {
    if (fd < 0 || static_cast<std::size_t>(fd) >= readers_.size() || !readers_[static_cast<std::size_t>(fd)])
        return;
    epoll_event ev{};
    ::epoll_ctl(epoll_.native_handle(), EPOLL_CTL_DEL, fd, &ev);
    // Events already fetched for it this turn find no reader and are skipped.
    readers_[static_cast<std::size_t>(fd)].reset();
}

void ReadySet::wait() {
    epoll_.async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
        if (ec == boost::asio::error::operation_aborted)
            return; // the set is gone
        on_ready();
    });
}

void ReadySet::on_ready() {
    // Waiting again however this turn ends (a reader may throw).
    struct Rearm {
        ReadySet& set;
        ~Rearm() { set.wait(); }
    } rearm{*this};
    epoll_event events[kBatch];
    const int n = ::epoll_wait(epoll_.native_handle(), events, kBatch, 0);
    for (int i = 0; i < n; ++i) {
        const auto fd = static_cast<std::size_t>(events[i].data.fd);
        if (fd >= readers_.size() || !readers_[fd])
            continue;
        // Held for the call: the reader may remove itself.
        const std::shared_ptr<Reader> reader = readers_[fd];
        reader->on_readable();
    }
}

} // namespace fc::websocket
