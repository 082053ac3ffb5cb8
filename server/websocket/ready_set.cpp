#include "server/websocket/ready_set.hpp"

#include "server/base/log.hpp"

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

ReadySet::ReadySet(const boost::asio::any_io_executor& executor)
    : epoll_(executor, make_epoll()), alive_(std::make_shared<char>()) {
    wait();
}

ReadySet::~ReadySet() {
    alive_.reset(); // a wait already completed, still queued, finds the set gone
    boost::system::error_code ignored;
    epoll_.close(ignored);
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
    // (A slot still held here would be a descriptor closed without
    // remove(): the kernel dropped it from the set, and its reader goes.)
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
    // Asio registers the set's descriptor edge-triggered but re-arms it
    // (EPOLL_CTL_MOD) for every wait that is not tried at once, as a
    // wait never is; so sockets still ready after a turn (left unread, or
    // beyond kBatch) make the set readable again at once.
    epoll_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                      [this, alive = std::weak_ptr<char>(alive_)](boost::system::error_code ec) {
                          if (alive.expired() || ec == boost::asio::error::operation_aborted)
                              return; // the set is gone
                          if (ec) {
                              // Not seen in practice; waiting again could spin.
                              log::error("ready_set.wait_failed", {{"reason", ec.message()}});
                              return;
                          }
                          on_ready();
                      });
}

void ReadySet::on_ready() {
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
    wait();
}

} // namespace fc::websocket
