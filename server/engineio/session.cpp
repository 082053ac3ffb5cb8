#include "server/engineio/session.hpp"

#include "server/engineio/server.hpp"

#include "server/base/log.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace fc::engineio {

namespace {
constexpr std::string_view kTextType = "text/plain; charset=UTF-8";

const FramePtr& noop_frame() {
    static const FramePtr f = make_text_frame(PacketType::noop);
    return f;
}
const FramePtr& ping_frame() {
    static const FramePtr f = make_text_frame(PacketType::ping);
    return f;
}
} // namespace

Session::Session(Server& server, std::string id, TransportKind transport,
                 std::string remote_address)
    : server_(server), id_(std::move(id)), transport_(transport),
      remote_address_(std::move(remote_address)), heartbeat_(server.executor()) {}

Session::~Session() = default;

const boost::asio::any_io_executor& Session::executor() const {
    return server_.executor();
}

void Session::start(WebSocketLinkPtr link, std::string_view open_packet) {
    if (link) {
        ws_ = std::move(link);
        send(std::make_shared<const Frame>(Frame{std::string(open_packet), false}));
    }
    arm_heartbeat(server_.settings().ping_interval);
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
    if (transport_ == TransportKind::websocket) {
        if (ws_ && !writing_ && !queue_.empty() && !write_posted_) {
            // Corked: frames queued during this turn of the event loop (a
            // burst of signals read from one sender, say) go out together
            // in one write, once the turn's handlers have run.
            write_posted_ = true;
            boost::asio::post(server_.executor(), [self = shared_from_this()] {
                self->write_posted_ = false;
                self->write_queued();
            });
        }
    } else if (pending_get_ && !queue_.empty()) {
        // Once in the response the bytes are the HTTP layer's (bounded by
        // its write deadline), no longer this session's.
        server_.budget().give(queue_.bytes());
        std::string body;
        while (!queue_.empty())
            append_to_payload(body, *queue_.pop());
        server_.stats().bytes_out += body.size();
        auto get = std::move(pending_get_);
        get->respond(200, kTextType, std::move(body));
    }
    if (state_ == State::draining && queue_.empty() && !writing_)
        fail(close_reason_, false);
}

void Session::write_queued() {
    if (closed() || !ws_ || writing_ || queue_.empty())
        return;
    writing_ = true;
    write_tick_ = server_.tick();
    in_flight_ = queue_.bytes();
    server_.stats().bytes_out += in_flight_;
    ws_->write(queue_);
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
    if (!writing_ || !ws_ || now_tick - write_tick_ <= timeout_ticks)
        return;
    // The client has not taken a byte for the whole timeout with its TCP
    // window full: a close frame would wait behind the stuck write, so the
    // connection is cut at once.
    ++server_.stats().write_timeouts;
    auto w = std::move(ws_);
    fail("write timeout", false);
    w->abort();
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

// --- polling ---------------------------------------------------------------

void Session::on_poll(PollExchangePtr get) {
    if (closed())
        return get->respond(400, "application/json", error_body(RequestError::session_id_unknown));
    if (pending_get_) {
        // Two GETs at once: the reference server closes the session, the
        // first GET learning of it by a close packet.
        get->respond(400, "application/json", error_body(RequestError::bad_request));
        return fail("duplicate poll", false);
    }
    pending_get_ = std::move(get);
    if (queue_.empty() && (probed_ || state_ == State::draining)) {
        // An upgrade is under way: end this poll at once so the client can
        // pause polling and finish the upgrade.
        auto g = std::move(pending_get_);
        g->respond(200, kTextType, state_ == State::draining ? "1" : "6");
        if (state_ == State::draining)
            fail(close_reason_, false);
        return;
    }
    flush();
}

void Session::on_post(std::string_view body, PollExchangePtr post) {
    if (closed())
        return post->respond(400, "application/json", error_body(RequestError::session_id_unknown));
    if (body.size() > server_.settings().max_payload) {
        post->respond(413, "application/json", error_body(RequestError::bad_request));
        return fail("payload too large", false);
    }
    auto packets = decode_payload(body);
    if (!packets) {
        post->respond(400, "application/json", error_body(RequestError::bad_request));
        return fail("parse error", false);
    }
    for (const auto& p : *packets) {
        if (closed())
            break;
        on_packet(p.type, p.data, p.binary);
    }
    post->respond(200, "text/html", "ok");
}

// --- packets from the active transport -------------------------------------

void Session::on_packet(PacketType type, std::string_view data, bool binary) {
    switch (type) {
    case PacketType::pong:
        return on_pong();
    case PacketType::message:
        if (handler_ && !closed())
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

// --- WebSocket -------------------------------------------------------------

void Session::on_ws_message(WebSocketLink* from, std::string_view data, bool binary) {
    if (closed())
        return;
    if (probe_ && from == probe_.get())
        return on_probe_message(data, binary);
    if (!ws_ || from != ws_.get())
        return;
    server_.stats().bytes_in += data.size();
    if (binary)
        return on_packet(PacketType::message, data, true);
    auto p = decode_text_packet(data);
    if (!p)
        return fail("parse error", false);
    on_packet(p->type, p->data, false);
}

void Session::on_ws_closed(WebSocketLink* from) {
    if (probe_ && from == probe_.get()) {
        probe_.reset();
        return abort_upgrade();
    }
    if (ws_ && from == ws_.get()) {
        ws_.reset();
        fail("transport close", true);
    }
}

void Session::on_written(WebSocketLink* from, bool ok) {
    if (!ws_ || from != ws_.get())
        return; // the "3probe" on a probe link, or a link already let go
    writing_ = false;
    server_.budget().give(in_flight_);
    in_flight_ = 0;
    if (!ok)
        return fail("transport error", false);
    flush();
}

// --- upgrade (polling -> websocket) -----------------------------------------

bool Session::begin_upgrade(WebSocketLinkPtr probe) {
    if (state_ != State::open || transport_ != TransportKind::polling || probe_)
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

void Session::on_probe_message(std::string_view data, bool binary) {
    if (!binary && !probed_ && data == "2probe") {
        probed_ = true;
        FrameQueue pong;
        pong.push(make_text_frame(PacketType::pong, "probe"));
        probe_->write(pong);
        // Ends a held poll so the client can pause polling.
        if (pending_get_ && queue_.empty()) {
            auto g = std::move(pending_get_);
            g->respond(200, kTextType, "6");
        }
        return;
    }
    if (!binary && probed_ && data == "5")
        return finish_upgrade();
    abort_upgrade();
}

void Session::finish_upgrade() {
    upgrade_timer_.reset();
    transport_ = TransportKind::websocket;
    ws_ = std::move(probe_);
    probed_ = false;
    writing_ = false;
    if (pending_get_) {
        auto g = std::move(pending_get_);
        g->respond(200, kTextType, noop_frame()->bytes);
    }
    flush();
}

void Session::abort_upgrade() {
    upgrade_timer_.reset();
    probed_ = false;
    if (auto p = std::move(probe_))
        p->close();
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
        p->close();
    if (auto g = std::move(pending_get_))
        g->respond(200, kTextType, client_closed_ ? "6" : "1");
    if (auto w = std::move(ws_))
        w->close();
    server_.budget().give(queue_.bytes() + in_flight_);
    server_.budget().give_input(reserved_);
    in_flight_ = 0;
    reserved_ = 0;
    queue_.clear();
    if (log::enabled(log::Level::debug))
        log::debug("session_closed",
                   {{"transport", transport_ == TransportKind::websocket ? "websocket" : "polling"},
                    {"reason", close_reason_}});
    server_.on_session_closed(id_);
    if (handler_)
        handler_->on_close(close_reason_);
}

} // namespace fc::engineio
