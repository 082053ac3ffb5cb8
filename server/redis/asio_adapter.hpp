// Runs a hiredis async context on an Asio executor: hiredis' event hooks
// (ev.addRead/delRead/addWrite/delWrite/cleanup) become async_wait calls on
// a stream_descriptor over the context's socket, which call back into
// redisAsyncHandleRead/Write. hiredis keeps ownership of the socket.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>

#include <functional>
#include <memory>

struct redisAsyncContext;

namespace fc::redis {

class AsioAdapter : public std::enable_shared_from_this<AsioAdapter> {
public:
    // Hooks `ac` (whose ev hooks must be unset) onto `ex`. `on_cleanup` runs
    // once, when hiredis frees the context (whoever started it): from
    // inside hiredis, after the pending reply callbacks have had their null
    // replies and just before hiredis closes the socket and frees `ac`, so
    // it must not call hiredis. False if the socket could not be registered
    // with the reactor; `ac` is then untouched and still the caller's.
    //
    // The adapter keeps itself alive until that cleanup (hiredis holds only
    // a raw pointer to it), and each wait it has pending holds it until the
    // wait completes, so a completion that arrives after the context was
    // freed finds the adapter and sees that there is nothing left to do.
    static bool attach(const boost::asio::any_io_executor& ex, redisAsyncContext* ac,
                       std::function<void()> on_cleanup);

    AsioAdapter(const boost::asio::any_io_executor& ex, redisAsyncContext* ac,
                std::function<void()> on_cleanup);

private:
    static void add_read(void* self);
    static void del_read(void* self);
    static void add_write(void* self);
    static void del_write(void* self);
    static void cleanup(void* self);

    void arm_read();
    void arm_write();
    void on_readable(const boost::system::error_code& ec);
    void on_writable(const boost::system::error_code& ec);

    redisAsyncContext* ac_; // null once hiredis has freed (or is freeing) it
    boost::asio::posix::stream_descriptor socket_;
    std::function<void()> on_cleanup_;
    std::shared_ptr<AsioAdapter> self_; // hiredis' reference, dropped in cleanup
    // What hiredis asked for, and which waits are outstanding: hiredis calls
    // addRead after every read, so without `reading_` each call would stack
    // one more wait on the same socket.
    bool want_read_ = false;
    bool want_write_ = false;
    bool reading_ = false;
    bool writing_ = false;
};

} // namespace fc::redis
