#include "server/engineio/session.hpp"

#include "server/engineio/polling_transport.hpp"
#include "server/engineio/server.hpp"

#include "server/base/log.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace fc::engineio {

namespace {
const FramePtr& noop_frame() {
    static const FramePtr f = make_text_frame(PacketType::noop);
    return f;
}
const FramePtr& ping_frame() {
    static const FramePtr f = make_text_frame(PacketType::ping);
    return f;
}
const FramePtr& close_frame() {
    static const FramePtr f = make_text_frame(PacketType::close);
    return f;
}
} // namespace

Session::Session(Server& server, std::string id, std::string remote_address)
    : server_(server), id_(std::move(id)), remote_address_(std::move(remote_address)), heartbeat_(server.executor()) {}

Session::~Session() = default;

const boost::asio::any_io_executor& Session::executor() const {
    return server_.executor();
}

void Session::start(TransportPtr transport, std::string_view open_packet) {
    kind_ = transport->kind();
    corked_ = transport->corked();
    transport_ = std::move(transport);
    if (!open_packet.empty())
        send(std::make_shared<const Frame>(Frame{std::string(open_packet), false}));
    arm_heartbeat(server_.settings().ping_interval);
}

std::shared_ptr<PollingTransport> Session::polling() const {
    // kind() is what tells them apart: only PollingTransport says polling.
    if (!transport_ || transport_->kind() != TransportKind::polling)
        return nullptr;
    return std::static_pointer_cast<PollingTransport>(transport_);
}

// --- heartbeat -------------------------------------------------------------
// One timer serves both phases: waiting to send the next ping, and waiting
// for its pong. The next ping is timed from the pong, as the reference
// server does, so a slow client is not pinged again before it answered.

void Session::arm_heartbeat(std::chrono::milliseconds after) {
    heartbeat_.expires_after(after);
    heartbeat_.async_wait(
        [self = shared_from_this()](boost::system::error_code ec) { self->on_heartbeat(ec); });
}

void Session::on_heartbeat(boost::system::error_code ec) {
    if (ec || closed())
        return;
    if (awaiting_pong_)
        return fail("ping timeout", false);
    awaiting_pong_ = true;
    send(ping_frame()); // refused while draining: the deadline holds all the same
    if (!closed())
        arm_heartbeat(server_.settings().ping_timeout);
}

void Session::on_pong() {
    if (!awaiting_pong_)
        return;
    awaiting_pong_ = false;
    arm_heartbeat(server_.settings().ping_interval); // cancels the timeout wait
}

// --- outgoing --------------------------------------------------------------

bool Session::send(FramePtr frame) {
    if (state_ != State::open)
        return false;
    if (!charge(frame->bytes.size(), false)) {
        ++server_.stats().slow_consumers;
        fail("slow consumer", false);
        return false;
    }
    queue_.push(std::move(frame));
    flush();
    return true;
}

bool Session::charge(std::size_t n, bool input) {
    if (held_bytes() + n > server_.settings().max_queued_bytes)
        return false;
    if (!(input ? server_.budget().take_input(n, reserved_ + n) : server_.budget().take(n))) {
        ++server_.stats().over_budget;
        return false;
    }
    return true;
}

bool Session::reserve(std::size_t n) {
    if (closed())
        return false;
    if (!charge(n, true)) {
        ++server_.stats().memory_limited;
        fail("memory limit", false);
        return false;
    }
    if (reserved_ == 0)
        input_tick_ = server_.tick();
    reserved_ += n;
    return true;
}

void Session::release(std::size_t n) {
    n = std::min(n, reserved_);
    reserved_ -= n;
    server_.budget().give_input(n);
}

void Session::input_progress() {
    // A message completed: what is held from here on is timed
    // anew, so a client streaming many messages is never cut, one that
    // trickles a single message is.
    input_tick_ = server_.tick();
}

void Session::flush() {
    if (transport_ && !writing_ && !write_posted_ && !queue_.empty()) {
        if (corked_) {
            // Corked: frames queued during this turn of the event loop (a
            // burst of signals read from one sender, say) go out together
            // in one write, once the turn's handlers have run.
            write_posted_ = true;
            boost::asio::post(server_.executor(), [self = shared_from_this()] {
                self->write_posted_ = false;
                self->hand_over();
            });
        } else if (transport_->writable()) {
            hand_over();
        }
    }
    end_if_drained();
}

void Session::end_if_drained() {
    if (state_ == State::draining && queue_.empty() && !writing_)
        fail(close_reason_, false);
}

void Session::hand_over() {
    if (closed() || !transport_ || writing_ || queue_.empty() ||
        (!corked_ && !transport_->writable()))
        return;
    const std::size_t n = queue_.bytes();
    if (transport_->send(queue_)) {
        // In flight until on_written: still this client's, and timed.
        writing_ = true;
        write_tick_ = server_.tick();
        in_flight_ = n;
    } else {
        // Gone for good (written at once, or a polling response, which is
        // the HTTP layer's, bounded by its write deadline), no longer this
        // session's.
        server_.budget().give(n);
        end_if_drained(); // that may have been the last of it
    }
}

void Session::check_deadlines(std::uint64_t now_tick, std::uint64_t timeout_ticks) {
    if (closed())
        return;
    if (reserved_ > 0 && now_tick - input_tick_ > timeout_ticks) {
        // Input held and no message completed for the whole timeout: a
        // client trickling one message (slowloris on a WebSocket).
        ++server_.stats().input_timeouts;
        return fail("input timeout", false);
    }
    if (!transport_)
        return;
    // Our frames handed over that long ago, or a write of the transport's
    // own (a pong to a ping flood) that has taken no byte since then.
    const bool ours = writing_ && now_tick - write_tick_ > timeout_ticks;
    if (!ours && !(now_tick > timeout_ticks && transport_->write_stuck_since(now_tick - timeout_ticks)))
        return;
    // The client has not taken a byte for the whole timeout with its TCP
    // window full: a close frame would wait behind the stuck write, so the
    // connection is cut at once.
    ++server_.stats().write_timeouts;
    auto t = std::move(transport_);
    fail("write timeout", false);
    t->abort();
}

void Session::close(std::string_view reason, bool drain) {
    if (state_ != State::open)
        return;
    if (drain && (!queue_.empty() || writing_)) {
        // Polling clients fetch what is queued with their next GET; a
        // client that never comes back is caught by the heartbeat.
        state_ = State::draining;
        close_reason_ = std::string(reason);
        return;
    }
    fail(reason, false);
}

// --- from the transports ---------------------------------------------------

void Session::on_packet(Transport* from, PacketType type, std::string_view data, bool binary) {
    if (closed())
        return;
    if (probe_ && from == probe_.get())
        return on_probe_packet(type, data, binary);
    if (from != transport_.get())
        return;
    switch (type) {
    case PacketType::pong:
        return on_pong();
    case PacketType::message:
        if (handler_)
            handler_->on_message(data, binary);
        return;
    case PacketType::close:
        return fail("transport close", true);
    case PacketType::open:
    case PacketType::ping:
    case PacketType::upgrade:
    case PacketType::noop:
        return; // not meaningful from a client on an open transport
    }
}

void Session::on_writable(Transport* from) {
    if (closed() || from != transport_.get())
        return;
    if (queue_.empty() && (probed_ || state_ == State::draining)) {
        // An upgrade is under way: end this poll at once so the client can
        // pause polling and finish the upgrade. (Draining with nothing
        // left: the close packet.)
        FrameQueue last;
        last.push(state_ == State::draining ? close_frame() : noop_frame());
        transport_->send(last);
        if (state_ == State::draining)
            fail(close_reason_, false);
        return;
    }
    flush();
}

void Session::on_written(Transport* from, bool ok) {
    if (from != transport_.get())
        return; // the "3probe" on a probe, or a transport already let go
    writing_ = false;
    server_.budget().give(in_flight_);
    in_flight_ = 0;
    if (!ok)
        return fail("transport error", false);
    flush();
}

void Session::on_transport_error(Transport* from, std::string_view reason) {
    if (probe_ && from == probe_.get())
        return abort_upgrade();
    if (from == transport_.get())
        fail(reason, false);
}

void Session::on_transport_closed(Transport* from) {
    if (probe_ && from == probe_.get()) {
        probe_.reset();
        return abort_upgrade();
    }
    if (transport_ && from == transport_.get()) {
        transport_.reset();
        fail("transport close", true);
    }
}

// --- upgrade (polling -> websocket) -----------------------------------------

bool Session::begin_upgrade(TransportPtr probe) {
    if (state_ != State::open || kind_ != TransportKind::polling || probe_)
        return false;
    probe_ = std::move(probe);
    probed_ = false;
    upgrade_timer_ = std::make_unique<boost::asio::steady_timer>(server_.executor());
    upgrade_timer_->expires_after(server_.settings().upgrade_timeout);
    upgrade_timer_->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec)
            self->abort_upgrade();
    });
    return true;
}

void Session::on_probe_packet(PacketType type, std::string_view data, bool binary) {
    if (!binary && !probed_ && type == PacketType::ping && data == "probe") {
        probed_ = true;
        FrameQueue pong;
        pong.push(make_text_frame(PacketType::pong, "probe"));
        probe_->send(pong);
        // Ends a held poll so the client can pause polling.
        if (queue_.empty() && transport_->writable()) {
            FrameQueue noop;
            noop.push(noop_frame());
            transport_->send(noop);
        }
        return;
    }
    if (!binary && probed_ && type == PacketType::upgrade && data.empty())
        return finish_upgrade();
    abort_upgrade();
}

void Session::finish_upgrade() {
    upgrade_timer_.reset();
    kind_ = TransportKind::websocket;
    auto polling = std::move(transport_);
    transport_ = std::move(probe_);
    corked_ = transport_->corked();
    probed_ = false;
    writing_ = false;
    // A held GET is answered with a noop: the session goes on over the
    // WebSocket.
    polling->close(false);
    flush();
}

void Session::abort_upgrade() {
    upgrade_timer_.reset();
    probed_ = false;
    if (auto p = std::move(probe_))
        p->close(true);
}

// --- teardown --------------------------------------------------------------
// Two steps, so that no layer is re-entered in the middle of its work: a
// close decided inside a room broadcast (a member's queue overflowed) or
// while the layer above handles a message only marks the session; the
// teardown, which tells the layer above (and through it the rooms), runs
// on a later turn of the event loop with nothing else on the stack.

void Session::fail(std::string_view reason, bool client_closed) {
    if (closed())
        return;
    state_ = State::closing;
    close_reason_ = std::string(reason);
    client_closed_ = client_closed;
    heartbeat_.cancel();
    boost::asio::post(server_.executor(), [self = shared_from_this()] { self->finish(); });
}

void Session::finish() {
    if (state_ == State::closed)
        return;
    state_ = State::closed;
    upgrade_timer_.reset();
    if (auto p = std::move(probe_))
        p->close(true);
    if (auto t = std::move(transport_))
        t->close(!client_closed_);
    server_.budget().give(queue_.bytes() + in_flight_);
    server_.budget().give_input(reserved_);
    in_flight_ = 0;
    reserved_ = 0;
    queue_.clear();
    if (log::enabled(log::Level::debug))
        log::debug("session_closed",
                   {{"transport", kind_ == TransportKind::websocket ? "websocket" : "polling"},
                    {"reason", close_reason_}});
    server_.on_session_closed(id_);
    if (handler_)
        handler_->on_close(close_reason_);
}

} // namespace fc::engineio
