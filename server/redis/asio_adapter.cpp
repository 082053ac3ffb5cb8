#include "server/redis/asio_adapter.hpp"

#include <hiredis/async.h>

#include <utility>

namespace fc::redis {

namespace net = boost::asio;

bool AsioAdapter::attach(const net::any_io_executor& ex, redisAsyncContext* ac,
                         std::function<void()> on_cleanup) {
    auto adapter = std::make_shared<AsioAdapter>(ex, ac, std::move(on_cleanup));
    boost::system::error_code ec;
    adapter->socket_.assign(ac->c.fd, ec);
    if (ec)
        return false;
    adapter->self_ = adapter;
    ac->ev.data = adapter.get();
    ac->ev.addRead = &AsioAdapter::add_read;
    ac->ev.delRead = &AsioAdapter::del_read;
    ac->ev.addWrite = &AsioAdapter::add_write;
    ac->ev.delWrite = &AsioAdapter::del_write;
    ac->ev.cleanup = &AsioAdapter::cleanup;
    return true;
}

AsioAdapter::AsioAdapter(const net::any_io_executor& ex, redisAsyncContext* ac,
                         std::function<void()> on_cleanup)
    : ac_(ac), socket_(ex), on_cleanup_(std::move(on_cleanup)) {}

void AsioAdapter::add_read(void* self) {
    auto* a = static_cast<AsioAdapter*>(self);
    a->want_read_ = true;
    a->arm_read();
}

// A wait already pending is left to complete; on_readable then sees that
// reading is no longer wanted. Cancelling it instead would cost a syscall
// per command, as hiredis toggles these hooks often.
void AsioAdapter::del_read(void* self) {
    static_cast<AsioAdapter*>(self)->want_read_ = false;
}

void AsioAdapter::add_write(void* self) {
    auto* a = static_cast<AsioAdapter*>(self);
    a->want_write_ = true;
    a->arm_write();
}

void AsioAdapter::del_write(void* self) {
    static_cast<AsioAdapter*>(self)->want_write_ = false;
}

void AsioAdapter::cleanup(void* self) {
    auto* a = static_cast<AsioAdapter*>(self);
    // Keeps `a` alive to the end of this function, then lets it go unless a
    // wait still holds it.
    const std::shared_ptr<AsioAdapter> keep = std::move(a->self_);
    a->ac_ = nullptr;
    a->want_read_ = a->want_write_ = false;
    // hiredis closes the socket itself right after this hook: take it out of
    // the reactor first (pending waits complete with operation_aborted) and
    // give it back without closing it.
    if (a->socket_.is_open())
        (void)a->socket_.release();
    if (auto f = std::move(a->on_cleanup_))
        f();
}

void AsioAdapter::arm_read() {
    if (reading_ || ac_ == nullptr)
        return;
    reading_ = true;
    socket_.async_wait(net::posix::stream_descriptor::wait_read,
                       [self = shared_from_this()](const boost::system::error_code& ec) {
                           self->on_readable(ec);
                       });
}

void AsioAdapter::arm_write() {
    if (writing_ || ac_ == nullptr)
        return;
    writing_ = true;
    socket_.async_wait(net::posix::stream_descriptor::wait_write,
                       [self = shared_from_this()](const boost::system::error_code& ec) {
                           self->on_writable(ec);
                       });
}

// Other errors than operation_aborted are left to hiredis: its read or write
// finds the socket error and tears the connection down through cleanup.
void AsioAdapter::on_readable(const boost::system::error_code& ec) {
    reading_ = false;
    if (ac_ == nullptr || !want_read_ || ec == net::error::operation_aborted)
        return;
    redisAsyncHandleRead(ac_); // may free the context: cleanup() nulls ac_
    if (ac_ != nullptr && want_read_)
        arm_read();
}

void AsioAdapter::on_writable(const boost::system::error_code& ec) {
    writing_ = false;
    if (ac_ == nullptr || !want_write_ || ec == net::error::operation_aborted)
        return;
    redisAsyncHandleWrite(ac_); // may free the context, as above
    if (ac_ != nullptr && want_write_)
        arm_write();
}

} // namespace fc::redis
