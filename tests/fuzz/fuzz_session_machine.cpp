// The session state machine, driven whole and in-process: random sequences
// of client actions (open, connect, join, signal, leave, close, stop and
// resume reading, upgrade, malformed input) against one engine, one
// Socket.IO server and one signaling service wired as application.cpp
// wires them, with fake transports. Each client keeps the view a real one
// would build from what it receives; after every step and at the end the
// views, the registry, the sessions and the memory budget are checked
// against each other. The input is a byte string read as actions; time
// never advances (no timer fires), handlers run only when an action says.
#include "server/base/log.hpp"
#include "server/engineio/base64.hpp"
#include "server/engineio/server.hpp"
#include "server/engineio/session.hpp"
#include "server/engineio/transport.hpp"
#include "server/rooms/registry.hpp"
#include "server/signaling/service.hpp"
#include "server/socketio/namespace_handler.hpp"
#include "server/socketio/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace eio = fc::engineio;
namespace sio = fc::socketio;
namespace http = boost::beast::http;

// Bounds that keep one input well under run.sh's 10 s per-input timeout
// under ASan: actions per input, clients at once, and the sizes of what
// they send.
constexpr std::size_t kMaxActions = 200;
constexpr std::size_t kSlots = 8;
constexpr std::size_t kMaxQueued = 8 * 1024;
constexpr std::array<std::size_t, 4> kBudgets = {24 * 1024, 40 * 1024, 64 * 1024, 64 * 1024};
constexpr std::array<std::size_t, 4> kPadSizes = {0, 120, 1200, 3600};
constexpr std::array<std::string_view, 3> kRooms = {"alpha", "bravo", "charlie"};
constexpr std::array<std::string_view, 4> kClientIds = {"client-aaaa", "client-bbbb", "client-cccc",
                                                        "client-dddd"};
constexpr std::array<std::string_view, 2> kTokens = {"tokenAAAAAAAAAAAAAAAAAA",
                                                     "tokenBBBBBBBBBBBBBBBBBB"};
constexpr std::string_view kPollQuery = "EIO=4&transport=polling";
constexpr std::string_view kWsQuery = "EIO=4&transport=websocket";

// --- reporting -----------------------------------------------------------------

std::vector<std::string>* g_trace = nullptr; // the current input's actions, for reports

// FC_SMC_TRACE=1 prints every action and what each client receives.
const bool g_verbose = std::getenv("FC_SMC_TRACE") != nullptr;

void trace(std::string line) {
    if (g_verbose)
        std::fprintf(stderr, "  . %s\n", line.c_str());
    if (g_trace)
        g_trace->push_back(std::move(line));
}

[[noreturn]] void violation(std::string_view what, const std::string& detail = {}) {
    std::fprintf(stderr, "\n=== session machine: INVARIANT VIOLATED: %.*s\n    %s\n",
                 static_cast<int>(what.size()), what.data(), detail.c_str());
    if (g_trace) {
        std::fprintf(stderr, "=== actions so far (%zu):\n", g_trace->size());
        const std::size_t from = g_trace->size() > 80 ? g_trace->size() - 80 : 0;
        for (std::size_t i = from; i < g_trace->size(); ++i)
            std::fprintf(stderr, "  %zu %s\n", i, (*g_trace)[i].c_str());
    }
    std::fflush(stderr);
    std::abort();
}

void require(bool ok, std::string_view what, const std::string& detail = {}) {
    if (!ok)
        violation(what, detail);
}

// --- input ----------------------------------------------------------------------

class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
    bool done() const { return at_ >= size_; }
    std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

struct World;
struct Client;

// --- fake transports --------------------------------------------------------------

// One polling request. A GET's body goes to its client's inbox the moment
// the session answers, so the client sees its stream in the order sent.
struct Exchange final : eio::PollExchange {
    Client* owner = nullptr; // null for POSTs and handshakes
    bool answered = false;
    unsigned status = 0;
    std::string body;
    void respond(unsigned s, std::string_view, std::string b) override;
};

// One WebSocket connection as a client with a TCP window would make it:
// writes complete on a later turn of the loop while the client reads, and
// not at all while it does not (a phone that stopped reading). What is
// written reaches the client when the write completes.
struct Link final : eio::Transport, std::enable_shared_from_this<Link> {
    World* world = nullptr;
    Client* owner = nullptr;
    std::weak_ptr<eio::Session> session;
    std::vector<eio::FramePtr> queued;  // handed over, not yet being written
    std::vector<eio::FramePtr> writing; // the write in flight
    bool in_flight = false;
    bool reading = true;
    bool let_go = false;    // close(): what was handed over still goes out
    bool aborted = false;   // abort(): nothing more goes out
    bool peer_gone = false; // the client closed it

    eio::TransportKind kind() const override { return eio::TransportKind::websocket; }
    bool writable() const override { return true; }
    bool corked() const override { return true; }
    bool send(eio::FrameQueue& queue) override;
    void close(bool) override { let_go = true; }
    void abort() override {
        let_go = true;
        aborted = true;
        queued.clear();
    }
    void start();
    void complete();
    bool done() const { return aborted || peer_gone || (let_go && !in_flight && queued.empty()); }
};

// --- what the clients know ---------------------------------------------------------

// Every peer id the server assigned, and to whom: filled right after each
// join by the observer below, before anything reaches a client.
struct Assigned {
    std::size_t order = 0; // assigned as the order-th peer id of the run
    std::size_t client = 0;
    std::uint64_t serial = 0;
    std::string room;
    std::string client_id;
};

struct Request {
    enum Kind { join, signal, leave, barrier } kind = join;
    std::uint64_t seq = 0;
    std::string room;
    std::uint64_t signal_n = 0;
};

struct SentSignal {
    std::size_t from_client = 0;
    std::string to;
    bool ok_acked = false;
    bool received = false;
};

struct Client {
    std::size_t index = 0;
    eio::TransportKind kind = eio::TransportKind::polling;
    std::string sid;
    std::string address;
    std::weak_ptr<eio::Session> session;
    bool gone = false; // the client stopped acting (closed, or told it is closed)

    // Polling.
    std::shared_ptr<Exchange> get; // outstanding GET
    bool polling = true;           // polls again after each answer
    bool paused = false;           // an upgrade is being finished
    // WebSocket, and the probe of an upgrade.
    std::shared_ptr<Link> link;
    std::shared_ptr<Link> probe;
    bool probe_ponged = false;

    // What has arrived, in order: polling bodies and WebSocket frames.
    struct Arrival {
        bool payload = false; // a polling body (packets joined by \x1e)
        bool binary = false;
        std::string bytes;
        bool from_probe = false;
    };
    std::vector<Arrival> inbox;

    // Socket.IO.
    enum class Sio { none, connecting, connected, disconnected } sio = Sio::none;
    std::uint32_t connects_sent = 0; // "40" sent
    std::uint32_t connect_acks = 0;  // CONNECT answers received
    std::uint64_t next_ack = 1;
    std::uint64_t seq = 0;
    std::map<std::uint64_t, Request> pending;
    std::size_t attachments_expected = 0;
    std::string pending_attachment; // a binary signal's attachment not yet sent

    // The room as this client sees it. `certain` is false after a join or
    // leave sent without an ack: until an ack answers a later request the
    // client cannot know where it is.
    bool certain = true;
    std::uint64_t unknown_since = 0; // seq of the last unacknowledged join/leave
    bool unknown_by_join = false;
    std::string room; // empty: in none
    std::string peer_id;
    std::map<std::string, std::string> peers; // peerId -> clientId
    bool barrier_ok = false;

    bool in_room() const { return !room.empty(); }
};

// --- the observer ---------------------------------------------------------------

// Forwards to the service untouched; records who each socket and each
// assigned peer id belongs to, and checks that a disconnected socket
// leaves no member behind.
class Observer final : public sio::NamespaceHandler {
public:
    explicit Observer(World& w) : w_(w) {}
    void on_connect(sio::Socket& socket, std::string_view auth) override;
    void on_event(sio::Socket& socket, const sio::Event& event) override;
    void on_disconnect(sio::Socket& socket, std::string_view reason) override;

private:
    World& w_;
};

// --- the world --------------------------------------------------------------------

eio::Settings engine_settings(std::size_t budget) {
    eio::Settings s;
    // Nothing in a run waits for time: timers are pushed far out so that a
    // slow input under ASan cannot make one fire and change the outcome.
    s.ping_interval = std::chrono::hours(1);
    s.ping_timeout = std::chrono::hours(1);
    s.upgrade_timeout = std::chrono::hours(1);
    s.write_timeout = std::chrono::hours(1);
    s.max_queued_bytes = kMaxQueued;
    s.memory_budget = budget;
    s.max_payload = 100'000;
    return s;
}

sio::Settings socketio_settings() {
    sio::Settings s;
    s.connect_timeout = std::chrono::hours(1);
    s.attachment_timeout = std::chrono::hours(1);
    return s;
}

fc::signaling::Limits service_limits() {
    fc::signaling::Limits l;
    l.max_room_size = 4; // eight clients, three rooms: room-full happens
    l.events = {0, 0};   // no rate limit: it reads the clock
    return l;
}

// Members in declaration order; destroyed in reverse, so the engine goes
// first (its watchdog timer is cancelled) and the io_context last.
struct World {
    explicit World(std::size_t budget)
        : io(1), sio_server(socketio_settings()), rooms(service_limits().max_room_size),
          service(rooms, service_limits(), {}), observer(*this),
          engine(io.get_executor(), engine_settings(budget), [this](eio::Session& s) {
              sio_server.on_connection(s);
              sessions.push_back(s.weak_from_this());
          }) {
        sio_server.add_namespace("/", observer);
    }

    asio::io_context io;
    std::vector<std::unique_ptr<Client>> clients;
    std::array<std::optional<std::size_t>, kSlots> slots{};
    std::vector<std::weak_ptr<eio::Session>> sessions;
    std::unordered_map<std::string, Assigned> assigned; // peerId -> owner
    std::vector<std::string> assigned_order;
    std::unordered_map<std::uint64_t, std::size_t> serial_client;
    std::set<std::uint64_t> disconnected;
    std::map<std::uint64_t, SentSignal> signals;
    std::uint64_t next_signal = 1;
    std::vector<std::string>* batch = nullptr; // a POST being assembled
    sio::Server sio_server;
    fc::rooms::Registry rooms;
    fc::signaling::Service service;
    Observer observer;
    eio::Server engine;

    Client* client_by_sid(std::string_view sid) {
        for (auto& c : clients)
            if (c->sid == sid)
                return c.get();
        return nullptr;
    }
    const fc::rooms::Registry& registry() const { return rooms; }
};

// --- transports ------------------------------------------------------------------

void Exchange::respond(unsigned s, std::string_view, std::string b) {
    require(!answered, "a poll exchange answered twice");
    answered = true;
    status = s;
    body = std::move(b);
    if (owner && status == 200)
        owner->inbox.push_back({true, false, body, false});
}

bool Link::send(eio::FrameQueue& queue) {
    require(!let_go, "the session wrote to a WebSocket it had let go of");
    require(!peer_gone, "the session wrote to a WebSocket closed by its client");
    queue.take_all(queued);
    start();
    return true;
}

// A frame read from the client, handed up as WebSocketTransport does: one
// packet per frame, a binary frame a binary message.
void ws_frame(eio::Session& s, Link* from, std::string_view bytes, bool binary) {
    if (binary)
        return s.on_packet(from, eio::PacketType::message, bytes, true);
    auto p = eio::decode_text_packet(bytes);
    if (!p)
        return s.on_transport_error(from, "parse error");
    s.on_packet(from, p->type, p->data, false);
}

void Link::start() {
    if (in_flight || queued.empty() || !reading || aborted || peer_gone)
        return;
    in_flight = true;
    writing.swap(queued);
    // Never from inside write(): the transport contract.
    asio::post(world->io, [self = shared_from_this()] { self->complete(); });
}

void Link::complete() {
    in_flight = false;
    if (aborted || peer_gone) {
        writing.clear();
        return;
    }
    const bool had = !writing.empty();
    const bool is_probe = owner->probe.get() == this;
    for (const auto& f : writing)
        owner->inbox.push_back({false, f->binary, f->bytes, is_probe});
    writing.clear();
    if (had && !let_go)
        if (auto s = session.lock())
            s->on_written(this, true);
    start();
}

// --- the observer ------------------------------------------------------------------

void Observer::on_connect(sio::Socket& socket, std::string_view auth) {
    Client* c = w_.client_by_sid(socket.session().id());
    require(c != nullptr, "a socket connected on a session no client opened");
    require(!w_.serial_client.contains(socket.serial()), "a socket serial used twice");
    w_.serial_client[socket.serial()] = c->index;
    w_.service.on_connect(socket, auth);
}

void Observer::on_event(sio::Socket& socket, const sio::Event& event) {
    const std::uint64_t serial = socket.serial();
    const auto* before = w_.registry().member(serial);
    const std::string before_id = before ? before->peer_id : std::string();
    const bool is_join = event.name == "join-room";
    std::string room;
    if (is_join) {
        boost::system::error_code ec;
        auto v = json::parse(event.raw, ec);
        if (!ec && v.is_array() && v.as_array().size() > 1 && v.as_array()[1].is_object())
            if (const auto* r = v.as_array()[1].as_object().if_contains("roomId");
                r && r->is_string())
                room = std::string(r->get_string());
    }
    w_.service.on_event(socket, event); // `socket` and `event` may be stale from here
    const auto* after = w_.registry().member(serial);
    if (!after || after->peer_id == before_id)
        return;
    require(is_join, "a peer id assigned by something other than a join");
    require(!w_.assigned.contains(after->peer_id), "a peer id assigned twice", after->peer_id);
    w_.assigned[after->peer_id] = Assigned{w_.assigned_order.size(), w_.serial_client.at(serial),
                                           serial, room, after->client_id};
    w_.assigned_order.push_back(after->peer_id);
}

void Observer::on_disconnect(sio::Socket& socket, std::string_view reason) {
    const std::uint64_t serial = socket.serial();
    w_.service.on_disconnect(socket, reason);
    w_.disconnected.insert(serial);
    require(w_.registry().member(serial) == nullptr, "a disconnected socket is still a member",
            "serial " + std::to_string(serial));
}

// --- the harness ---------------------------------------------------------------------

class Harness {
public:
    Harness(World& w, Input& in) : w_(w), in_(in) {}

    void run();

private:
    // Actions.
    void step(std::uint8_t op);
    void open(std::size_t slot, eio::TransportKind kind, bool connect);
    void connect(Client& c);
    void join(Client& c);
    void signal(Client& c);
    void binary_signal(Client& c);
    void leave(Client& c);
    void close_packet(Client& c);
    void transport_closed(Client& c);
    void toggle_reading(Client& c);
    void poll_now(Client& c);
    void upgrade(Client& c);
    void namespace_cycle(Client& c);
    void malformed(Client& c);
    void batch(Client& c);
    void run_handlers(std::size_t n);
    std::string known_peer(const Client& c, std::size_t k) const;
    std::size_t fill_pad(const std::string& to, std::uint8_t headroom,
                         std::size_t array_bytes) const;

    // Sending.
    bool can_send(const Client& c) const;
    void send_text(Client& c, std::string text);
    void send_binary(Client& c, std::string bytes);
    void post(Client& c, const std::string& body);
    std::uint64_t ask(Client& c, Request r);

    // Receiving.
    void settle();
    void issue_get(Client& c);
    void drain_inbox(Client& c);
    void on_engine_packet(Client& c, std::string_view p, bool binary, bool from_probe);
    void on_socketio(Client& c, std::string_view p);
    void on_event(Client& c, const json::array& args, bool binary_event);
    void on_ack(Client& c, std::uint64_t id, const json::array& args);
    void on_join_ack(Client& c, const Request& r, const json::object& o);

    // Checks.
    void check_step();
    void drain(std::string_view phase);
    void check_quiescent_views();
    void close_everything();
    void check_end();

    // One of the clients still acting, so that few actions are wasted on
    // empty slots.
    Client* pick(std::uint8_t b) {
        std::array<Client*, kSlots> live{};
        std::size_t n = 0;
        for (const auto& s : w_.slots)
            if (s && !w_.clients[*s]->gone)
                live[n++] = w_.clients[*s].get();
        return n == 0 ? nullptr : live[b % n];
    }
    std::shared_ptr<eio::Session> session_of(const Client& c) const { return c.session.lock(); }
    std::string name(const Client& c) const { return "c" + std::to_string(c.index); }

    World& w_;
    Input& in_;
};

// --- sending -----------------------------------------------------------------------

bool Harness::can_send(const Client& c) const {
    if (c.gone)
        return false;
    if (c.kind == eio::TransportKind::websocket)
        return c.link && !c.link->let_go && !c.link->peer_gone;
    return !c.sid.empty();
}

void Harness::post(Client& c, const std::string& body) {
    auto ex = std::make_shared<Exchange>();
    w_.engine.handle_polling(http::verb::post, std::string(kPollQuery) + "&sid=" + c.sid, body,
                             c.address, ex);
    require(ex->answered, "a POST left unanswered");
    if (ex->status != 200)
        c.gone = true; // the session is closing or unknown: the client gives up
}

void Harness::send_text(Client& c, std::string text) {
    if (!can_send(c))
        return;
    if (c.kind == eio::TransportKind::polling) {
        if (w_.batch) {
            w_.batch->push_back(std::move(text));
            return;
        }
        return post(c, text);
    }
    if (auto s = session_of(c))
        ws_frame(*s, c.link.get(), text, false);
}

void Harness::send_binary(Client& c, std::string bytes) {
    if (!can_send(c))
        return;
    if (c.kind == eio::TransportKind::polling) {
        std::string seg = "b";
        eio::base64_append(seg, bytes);
        if (w_.batch) {
            w_.batch->push_back(std::move(seg));
            return;
        }
        return post(c, seg);
    }
    if (auto s = session_of(c))
        ws_frame(*s, c.link.get(), bytes, true);
}

// Registers a request that asks for an ack; returns its ack id.
std::uint64_t Harness::ask(Client& c, Request r) {
    const std::uint64_t id = c.next_ack++;
    c.pending[id] = std::move(r);
    return id;
}

// --- actions -----------------------------------------------------------------------

void Harness::open(std::size_t slot, eio::TransportKind kind, bool connect) {
    auto c = std::make_unique<Client>();
    c->index = w_.clients.size();
    c->kind = kind;
    c->address = "10.0.0." + std::to_string(slot + 1);
    Client& cl = *c;
    w_.clients.push_back(std::move(c));
    w_.slots[slot] = cl.index;
    if (kind == eio::TransportKind::polling) {
        auto ex = std::make_shared<Exchange>();
        w_.engine.handle_polling(http::verb::get, kPollQuery, {}, cl.address, ex);
        require(ex->answered && ex->status == 200, "a polling handshake failed", ex->body);
        require(!ex->body.empty() && ex->body[0] == '0', "a handshake without an open packet");
        boost::system::error_code ec;
        auto v = json::parse(std::string_view(ex->body).substr(1), ec);
        require(!ec && v.is_object() && v.as_object().contains("sid"), "a bad open packet",
                ex->body);
        cl.sid = std::string(v.as_object().at("sid").as_string());
        for (auto& weak : w_.sessions)
            if (auto s = weak.lock(); s && s->id() == cl.sid)
                cl.session = s;
        require(!cl.session.expired(), "a handshake's session is not in the engine");
    } else {
        cl.link = std::make_shared<Link>();
        cl.link->world = &w_;
        cl.link->owner = &cl;
        auto s = w_.engine.attach_websocket(kWsQuery, cl.address, cl.link);
        require(s != nullptr, "a WebSocket open was refused");
        cl.link->session = s;
        cl.session = s;
        cl.sid = s->id();
    }
    trace(name(cl) + " open " + (kind == eio::TransportKind::polling ? "polling" : "websocket") +
          " in slot " + std::to_string(slot));
    if (connect)
        this->connect(cl);
}

// A new socket: in no room, nothing asked. What arrives before its CONNECT
// answer belongs to the socket before it and is dropped.
void Harness::connect(Client& c) {
    c.sio = Client::Sio::connecting;
    ++c.connects_sent;
    c.pending.clear();
    c.certain = true;
    c.room.clear();
    c.peer_id.clear();
    c.peers.clear();
    send_text(c, "40");
}

void Harness::join(Client& c) {
    const std::uint8_t a = in_.byte(), b = in_.byte();
    const std::string room(kRooms[(a & 3) % kRooms.size()]);
    const std::string_view cid = kClientIds[(a >> 2) & 3];
    const unsigned tok = (a >> 4) & 3; // 0, 1: none; 2, 3: a token
    const bool with_ack = (b & 3) != 0;
    std::string arg = R"({"roomId":")" + room + R"(","clientId":")" + std::string(cid) +
                      R"(","displayName":"n)" + std::to_string(c.index) + "\"";
    if (tok >= 2)
        arg += R"(,"resumeToken":")" + std::string(kTokens[tok - 2]) + "\"";
    arg += "}";
    const std::uint64_t seq = ++c.seq;
    std::string ack;
    if (with_ack)
        ack = std::to_string(ask(c, Request{Request::join, seq, room, 0}));
    else {
        c.certain = false;
        c.unknown_since = seq;
        c.unknown_by_join = true;
    }
    trace(name(c) + " join " + room + " as " + std::string(cid) + (tok >= 2 ? " +token" : "") +
          (with_ack ? " ack " + ack : " no-ack"));
    send_text(c, "42" + ack + R"(["join-room",)" + arg + "]");
}

void Harness::signal(Client& c) {
    const std::uint8_t a = in_.byte(), b = in_.byte();
    std::string to;
    const unsigned pick_kind = a % 8;
    if (pick_kind < 5 && !c.peers.empty()) {
        to = known_peer(c, a >> 3);
    } else if (pick_kind == 7 && !w_.assigned_order.empty()) {
        // Any peer id ever assigned: stale ones, others' rooms, its own.
        to = w_.assigned_order[(a >> 3) % w_.assigned_order.size()];
    } else {
        to = "p_nobody";
    }
    const bool with_ack = (b & 4) == 0;
    const std::uint64_t n = w_.next_signal++;
    const std::string head = R"(["signal",{"to":")" + to + R"(","type":"offer","payload":{"n":)" +
                             std::to_string(n) + R"(,"pad":")";
    const std::string tail = "\"}}]";
    std::size_t pad = kPadSizes[b % kPadSizes.size()];
    if ((b & 8) != 0)
        pad = fill_pad(to, in_.byte(), head.size() + tail.size());
    w_.signals[n] = SentSignal{c.index, to, false, false};
    std::string ack;
    if (with_ack)
        ack = std::to_string(ask(c, Request{Request::signal, ++c.seq, {}, n}));
    trace(name(c) + " signal #" + std::to_string(n) + " to " + to + " pad " + std::to_string(pad) +
          (with_ack ? " ack " + ack : " no-ack"));
    send_text(c, "42" + ack + head + std::string(pad, 'x') + tail);
}

// The k-th peer a client knows, in the order the server assigned them (ids
// are random: ordering by id would make an input mean something else on
// every run).
std::string Harness::known_peer(const Client& c, std::size_t k) const {
    std::vector<std::pair<std::size_t, std::string>> known;
    for (const auto& [id, cid] : c.peers) {
        auto a = w_.assigned.find(id);
        known.emplace_back(a == w_.assigned.end() ? 0 : a->second.order, id);
    }
    std::sort(known.begin(), known.end());
    return known[k % known.size()].second;
}

// A pad that leaves the target `headroom` bytes short of its bound (or of
// the server's budget, whichever is nearer), so the next frame for it
// overflows or just fits: the moment a broadcast meets a full member is
// otherwise a window of a few bytes the fuzzer would rarely hit. Looks
// inside the server, as only a test may.
std::size_t Harness::fill_pad(const std::string& to, std::uint8_t headroom,
                              std::size_t array_bytes) const {
    auto a = w_.assigned.find(to);
    if (a == w_.assigned.end())
        return 0;
    auto s = w_.clients[a->second.client]->session.lock();
    if (!s)
        return 0;
    const auto& budget = w_.engine.budget();
    const std::size_t room = std::min(kMaxQueued - std::min(kMaxQueued, s->held_bytes()),
                                      budget.limit() - budget.used());
    // The relayed frame: "42" and the array with "from" for "to" (2 more).
    const std::size_t frame = 2 + array_bytes + 2;
    if (room < frame + headroom)
        return 0;
    return room - frame - headroom;
}

// A signal whose payload is a binary attachment: the text now, the
// attachment now or on a later action (bytes the server holds meanwhile).
void Harness::binary_signal(Client& c) {
    const std::uint8_t a = in_.byte();
    if (!c.pending_attachment.empty()) {
        trace(name(c) + " attachment");
        std::string bytes = std::move(c.pending_attachment);
        c.pending_attachment.clear();
        return send_binary(c, std::move(bytes));
    }
    std::string to = "p_nobody";
    if (!c.peers.empty() && (a & 1) == 0)
        to = known_peer(c, a >> 1);
    const std::uint64_t n = w_.next_signal++;
    w_.signals[n] = SentSignal{c.index, to, false, false};
    const std::string ack = std::to_string(ask(c, Request{Request::signal, ++c.seq, {}, n}));
    trace(name(c) + " binary signal #" + std::to_string(n) + " to " + to + " ack " + ack);
    send_text(c, "451-" + ack + R"(["signal",{"to":")" + to + R"(","type":"file","payload":{"n":)" +
                     std::to_string(n) + R"(,"data":{"_placeholder":true,"num":0}}}])");
    std::string bytes(kPadSizes[(a >> 4) % kPadSizes.size()] + 1, '\x7f');
    if (a & 0x08)
        c.pending_attachment = std::move(bytes);
    else
        send_binary(c, std::move(bytes));
}

void Harness::leave(Client& c) {
    const bool with_ack = (in_.byte() & 3) != 0;
    const std::uint64_t seq = ++c.seq;
    std::string ack;
    if (with_ack)
        ack = std::to_string(ask(c, Request{Request::leave, seq, {}, 0}));
    else {
        c.certain = false;
        c.unknown_since = seq;
        c.unknown_by_join = false;
    }
    trace(name(c) + " leave" + (with_ack ? " ack " + ack : " no-ack"));
    send_text(c, "42" + ack + R"(["leave-room"])");
}

void Harness::close_packet(Client& c) {
    trace(name(c) + " close packet");
    send_text(c, "1");
    c.gone = true;
}

void Harness::transport_closed(Client& c) {
    if (c.kind != eio::TransportKind::websocket || !c.link || c.link->let_go)
        return toggle_reading(c); // polling has no connection of its own to lose
    trace(name(c) + " websocket closed by the client");
    c.link->peer_gone = true;
    c.gone = true;
    if (auto s = session_of(c))
        s->on_transport_closed(c.link.get());
}

void Harness::toggle_reading(Client& c) {
    if (c.kind == eio::TransportKind::polling) {
        c.polling = !c.polling;
        trace(name(c) + (c.polling ? " polls again" : " stops polling"));
    } else if (c.link) {
        c.link->reading = !c.link->reading;
        trace(name(c) + (c.link->reading ? " reads again" : " stops reading"));
        c.link->start();
    }
}

void Harness::poll_now(Client& c) {
    if (c.kind != eio::TransportKind::polling || c.sid.empty())
        return;
    if (c.get && !c.get->answered) {
        // A second GET while one is held: the session is closed for it.
        if ((in_.byte() & 7) != 0)
            return;
        trace(name(c) + " duplicate GET");
        auto ex = std::make_shared<Exchange>();
        w_.engine.handle_polling(http::verb::get, std::string(kPollQuery) + "&sid=" + c.sid, {},
                                 c.address, ex);
        require(ex->answered, "a duplicate GET left unanswered");
        c.gone = true;
        return;
    }
    trace(name(c) + " GET");
    issue_get(c);
}

void Harness::issue_get(Client& c) {
    c.get = std::make_shared<Exchange>();
    c.get->owner = &c;
    w_.engine.handle_polling(http::verb::get, std::string(kPollQuery) + "&sid=" + c.sid, {},
                             c.address, c.get);
    if (c.get->answered && c.get->status != 200)
        c.gone = true;
}

// polling -> websocket: the probe, then (once "3probe" arrived) "5".
void Harness::upgrade(Client& c) {
    if (c.kind != eio::TransportKind::polling || c.sid.empty())
        return;
    if (!c.probe) {
        auto link = std::make_shared<Link>();
        link->world = &w_;
        link->owner = &c;
        auto s =
            w_.engine.attach_websocket(std::string(kWsQuery) + "&sid=" + c.sid, c.address, link);
        trace(name(c) + " upgrade probe" + (s ? "" : " refused"));
        if (!s)
            return;
        require(s == session_of(c), "an upgrade attached to another session");
        link->session = s;
        c.probe = link;
        c.probe_ponged = false;
        ws_frame(*s, link.get(), "2probe", false);
        return;
    }
    if (c.probe->let_go) {
        trace(name(c) + " upgrade abandoned by the server");
        c.probe.reset();
        c.paused = false;
        return;
    }
    if (!c.probe_ponged)
        return; // still waiting for "3probe"
    const std::uint8_t a = in_.byte();
    auto s = session_of(c);
    if ((a & 3) == 0) {
        trace(name(c) + " upgrade: probe closed by the client");
        c.probe->peer_gone = true;
        auto p = std::move(c.probe);
        c.paused = false;
        if (s)
            s->on_transport_closed(p.get());
        return;
    }
    trace(name(c) + " upgrade: 5");
    // The client switches at once: what follows arrives over the WebSocket.
    c.kind = eio::TransportKind::websocket;
    c.link = std::move(c.probe);
    c.paused = false;
    if (s)
        ws_frame(*s, c.link.get(), "5", false);
}

void Harness::namespace_cycle(Client& c) {
    if (c.sio == Client::Sio::connected || c.sio == Client::Sio::connecting) {
        trace(name(c) + " namespace disconnect (41)");
        c.sio = Client::Sio::disconnected;
        c.pending.clear();
        send_text(c, "41");
    } else {
        trace(name(c) + " namespace connect (40)");
        connect(c);
    }
}

void Harness::malformed(Client& c) {
    static constexpr std::array<std::string_view, 6> kBad = {"4garbage",    "49",         "42",
                                                             "4/nowhere,0", R"(43["x"])", "7"};
    const std::uint8_t a = in_.byte();
    const auto bad = kBad[a % kBad.size()];
    trace(name(c) + " malformed " + std::string(bad));
    send_text(c, std::string(bad));
}

// Several requests in one POST (polling), or back to back (WebSocket).
void Harness::batch(Client& c) {
    const std::size_t n = 2 + in_.byte() % 3;
    std::vector<std::string> parts;
    if (c.kind == eio::TransportKind::polling)
        w_.batch = &parts;
    trace(name(c) + " batch of " + std::to_string(n));
    for (std::size_t i = 0; i < n; ++i) {
        switch (in_.byte() % 4) {
        case 0:
            join(c);
            break;
        case 1:
        case 2:
            signal(c);
            break;
        case 3:
            leave(c);
            break;
        }
    }
    w_.batch = nullptr;
    if (!parts.empty() && can_send(c)) {
        std::string body;
        for (const auto& p : parts) {
            if (!body.empty())
                body.push_back('\x1e');
            body += p;
        }
        post(c, body);
    }
}

void Harness::run_handlers(std::size_t n) {
    if (n == 0) {
        trace("run all handlers");
        w_.io.poll();
    } else {
        trace("run " + std::to_string(n) + " handlers");
        for (std::size_t i = 0; i < n; ++i)
            if (w_.io.poll_one() == 0)
                break;
    }
    w_.io.restart();
}

void Harness::step(std::uint8_t op) {
    const std::uint8_t who = in_.byte();
    const std::size_t slot = who % kSlots;
    switch (op % 24) {
    case 0:
    case 1:
        for (std::size_t i = 0; i < kSlots; ++i) {
            const std::size_t at = (slot + i) % kSlots;
            if (auto s = w_.slots[at]; !s || w_.clients[*s]->gone)
                return open(
                    at, op % 24 == 0 ? eio::TransportKind::polling : eio::TransportKind::websocket,
                    (who & 0x80) == 0);
        }
        return run_handlers(0);
    case 2:
    case 3:
        if (auto* c = pick(who))
            join(*c);
        return;
    case 4:
    case 5:
    case 6:
        if (auto* c = pick(who))
            signal(*c);
        return;
    case 7:
        if (auto* c = pick(who))
            leave(*c);
        return;
    case 8:
        if (auto* c = pick(who))
            close_packet(*c);
        return;
    case 9:
        if (auto* c = pick(who))
            transport_closed(*c);
        return;
    case 10:
    case 11:
        if (auto* c = pick(who))
            toggle_reading(*c);
        return;
    case 12:
    case 13:
    case 14:
        return run_handlers(0);
    case 15:
    case 16:
        return run_handlers(1 + (who >> 3) % 8);
    case 17:
        if (auto* c = pick(who))
            poll_now(*c);
        return;
    case 18:
        if (auto* c = pick(who))
            upgrade(*c);
        return;
    case 19:
        if (auto* c = pick(who))
            namespace_cycle(*c);
        return;
    case 20:
        if (auto* c = pick(who); c && (who & 0x70) == 0)
            malformed(*c);
        return;
    case 21:
        if (auto* c = pick(who))
            binary_signal(*c);
        return;
    case 22:
    case 23:
        if (auto* c = pick(who))
            batch(*c);
        return;
    }
}

// --- receiving -----------------------------------------------------------------------

// After every action: what arrived is read, polling clients poll again.
void Harness::settle() {
    for (int round = 0; round < 4; ++round) {
        bool again = false;
        for (auto& c : w_.clients) {
            drain_inbox(*c);
            // A client sees the server close its WebSocket once what was
            // written before the close frame has arrived.
            if (c->link && c->link->let_go && c->link->done())
                c->gone = true;
            if (c->probe && c->probe->let_go && c->probe->done()) {
                c->probe.reset(); // the server gave up the upgrade: polling goes on
                c->paused = false;
            }
        }
        for (auto& c : w_.clients) {
            if (c->kind != eio::TransportKind::polling || c->gone || c->sid.empty() ||
                !c->polling || c->paused || (c->get && !c->get->answered))
                continue;
            issue_get(*c);
            again = again || (c->get->answered);
        }
        if (!again)
            break;
    }
    for (auto& c : w_.clients)
        drain_inbox(*c);
}

void Harness::drain_inbox(Client& c) {
    // Processing never calls into the server, so the inbox cannot grow
    // while it is read; moved out anyway, for clarity.
    auto arrivals = std::move(c.inbox);
    c.inbox.clear();
    for (const auto& a : arrivals) {
        if (!a.payload) {
            on_engine_packet(c, a.bytes, a.binary, a.from_probe);
            continue;
        }
        std::string_view body = a.bytes;
        for (;;) {
            const auto sep = body.find('\x1e');
            const auto seg = body.substr(0, sep);
            if (!seg.empty() && seg.front() == 'b')
                on_engine_packet(c, {}, true, false);
            else
                on_engine_packet(c, seg, false, false);
            if (sep == std::string_view::npos)
                break;
            body.remove_prefix(sep + 1);
        }
    }
}

void Harness::on_engine_packet(Client& c, std::string_view p, bool binary, bool from_probe) {
    if (binary) {
        require(c.attachments_expected > 0, "a binary frame no event announced", name(c));
        --c.attachments_expected;
        return;
    }
    require(!p.empty(), "an empty Engine.IO packet", name(c));
    if (from_probe) {
        require(p == "3probe", "a probe link carried something other than 3probe", std::string(p));
        c.probe_ponged = true;
        c.paused = true; // the client pauses polling to finish the upgrade
        return;
    }
    switch (p.front()) {
    case '0': // the WebSocket open packet
    case '2': // ping (no timer fires, but harmless)
    case '6':
        return;
    case '1':
        c.gone = true;
        return;
    case '4':
        return on_socketio(c, p.substr(1));
    default:
        violation("an unexpected Engine.IO packet", name(c) + ": " + std::string(p.substr(0, 40)));
    }
}

void Harness::on_socketio(Client& c, std::string_view p) {
    require(!p.empty(), "an empty Socket.IO packet", name(c));
    const char type = p.front();
    p.remove_prefix(1);
    std::size_t attachments = 0;
    if (type == '5' || type == '6') {
        const auto dash = p.find('-');
        require(dash != std::string_view::npos, "a binary packet without its count");
        attachments = std::stoul(std::string(p.substr(0, dash)));
        p.remove_prefix(dash + 1);
    }
    require(p.empty() || p.front() != '/', "a packet for another namespace", std::string(p));
    std::optional<std::uint64_t> id;
    std::size_t digits = 0;
    while (digits < p.size() && p[digits] >= '0' && p[digits] <= '9')
        ++digits;
    if (digits > 0) {
        id = std::stoull(std::string(p.substr(0, digits)));
        p.remove_prefix(digits);
    }
    json::value v;
    if (!p.empty()) {
        boost::system::error_code ec;
        v = json::parse(p, ec);
        require(!ec, "a packet with bad JSON", name(c) + ": " + std::string(p.substr(0, 60)));
    }
    switch (type) {
    case '0':
        // Only the answer to the latest "40": an earlier one (a socket the
        // client disconnected before hearing back) changes nothing.
        if (++c.connect_acks == c.connects_sent && c.sio == Client::Sio::connecting)
            c.sio = Client::Sio::connected;
        return;
    case '1':
        c.sio = Client::Sio::disconnected;
        return;
    case '2':
    case '5':
        require(v.is_array() && !v.as_array().empty(), "an event that is not an array");
        c.attachments_expected += attachments;
        return on_event(c, v.as_array(), type == '5');
    case '3':
        require(id.has_value() && v.is_array(), "an ack without id or arguments");
        return on_ack(c, *id, v.as_array());
    case '4':
        violation("CONNECT_ERROR for the default namespace", std::string(p));
    default:
        violation("an unexpected Socket.IO packet type", std::string(1, type));
    }
}

std::string str(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    require(v && v->is_string(), "a field missing or not a string", std::string(key));
    return std::string(v->get_string());
}

void Harness::on_event(Client& c, const json::array& args, bool binary_event) {
    require(args[0].is_string(), "an event without a name");
    if (g_verbose)
        std::fprintf(stderr, "      %s <- %.100s\n", name(c).c_str(),
                     json::serialize(args).c_str());
    const std::string_view ev = args[0].get_string();
    // Events for a socket the client disconnected are dropped (as the
    // official client drops them), once checked for what must never be.
    const bool listening = c.sio == Client::Sio::connected;
    const json::object* o = args.size() > 1 && args[1].is_object() ? &args[1].as_object() : nullptr;
    require(o != nullptr || ev == "replaced", "an event without its object", std::string(ev));

    if (ev == "peer-joined" || ev == "peer-left") {
        const std::string pid = str(*o, "peerId");
        auto a = w_.assigned.find(pid);
        require(a != w_.assigned.end(), "told about a peer id never assigned", name(c) + " " + pid);
        require(a->second.client != c.index, "a client told " + std::string(ev) + " about itself",
                name(c) + " " + pid);
        if (!listening || !c.certain) {
            if (ev == "peer-joined")
                c.peers.insert({pid, a->second.client_id});
            else
                c.peers.erase(pid);
            return;
        }
        require(c.in_room(), std::string(ev) + " while in no room", name(c) + " " + pid);
        if (ev == "peer-joined") {
            require(a->second.room == c.room, "peer-joined about a peer of another room",
                    name(c) + " in " + c.room + " told of " + pid + " in " + a->second.room);
            require(str(*o, "clientId") == a->second.client_id,
                    "peer-joined with a wrong clientId");
            require(c.peers.insert({pid, a->second.client_id}).second, "peer-joined twice",
                    name(c) + " " + pid);
        } else {
            require(c.peers.erase(pid) == 1, "peer-left about a peer it was never told of",
                    name(c) + " in " + c.room + ": " + pid);
        }
        return;
    }
    if (ev == "signal") {
        const std::string from = str(*o, "from");
        auto a = w_.assigned.find(from);
        require(a != w_.assigned.end(), "a signal from a peer id never assigned", from);
        require(a->second.client != c.index, "a client got its own signal", name(c));
        const auto* payload = o->if_contains("payload");
        require(payload && payload->is_object() && payload->as_object().contains("n"),
                "a relayed signal lost its payload");
        const auto n =
            static_cast<std::uint64_t>(payload->as_object().at("n").to_number<std::uint64_t>());
        auto s = w_.signals.find(n);
        require(s != w_.signals.end(), "a signal nobody sent", std::to_string(n));
        require(!s->second.received, "a signal delivered twice", std::to_string(n));
        s->second.received = true;
        require(s->second.from_client == a->second.client, "a signal with the wrong sender",
                std::to_string(n));
        auto to = w_.assigned.find(s->second.to);
        require(to != w_.assigned.end() && to->second.client == c.index,
                "a signal delivered to someone other than its target",
                "#" + std::to_string(n) + " to " + s->second.to + " reached " + name(c));
        require(binary_event == (str(*o, "type") == "file"), "a signal's binary flag changed");
        if (listening && c.certain) {
            require(c.in_room(), "a signal while in no room", name(c));
            require(c.peers.contains(from), "a signal from a peer not in the client's view",
                    name(c) + " from " + from);
        }
        return;
    }
    if (ev == "replaced") {
        if (!listening || !c.certain)
            return;
        require(c.in_room(), "replaced while in no room", name(c));
        c.room.clear();
        c.peer_id.clear();
        c.peers.clear();
        return;
    }
    violation("an unknown event", std::string(ev));
}

void Harness::on_ack(Client& c, std::uint64_t id, const json::array& args) {
    if (g_verbose)
        std::fprintf(stderr, "      %s <- ack %llu %.160s\n", name(c).c_str(),
                     static_cast<unsigned long long>(id), json::serialize(args).c_str());
    if (c.sio != Client::Sio::connected)
        return; // an ack for a socket since disconnected
    auto it = c.pending.find(id);
    require(it != c.pending.end(), "an ack nobody asked for", name(c) + " " + std::to_string(id));
    const Request r = it->second;
    c.pending.erase(it);
    require(args.size() == 1 && args[0].is_object(), "an ack that is not one object");
    const auto& o = args[0].as_object();
    const auto* okv = o.if_contains("ok");
    require(okv && okv->is_bool(), "an ack without ok");
    const bool ok = okv->get_bool();
    // Everything sent before this request has been processed by now: a
    // join or leave sent without an ack is settled if this came after it.
    const bool after_unknown = !c.certain && r.seq > c.unknown_since;
    switch (r.kind) {
    case Request::join:
        if (ok)
            return on_join_ack(c, r, o);
        if (after_unknown && !c.unknown_by_join) {
            c.certain = true; // a leave went through before: in no room
            c.room.clear();
            c.peer_id.clear();
            c.peers.clear();
        }
        return;
    case Request::leave:
        if (c.certain || after_unknown) {
            if (c.certain && !after_unknown) {
                if (ok)
                    require(c.in_room(), "left a room the client was not in", name(c));
                else if (str(o.at("error").as_object(), "code") == "not-in-room")
                    require(!c.in_room(), "not-in-room for a client in a room",
                            name(c) + " in " + c.room);
            }
            c.certain = true;
            c.room.clear();
            c.peer_id.clear();
            c.peers.clear();
        }
        return;
    case Request::signal:
        if (ok)
            w_.signals.at(r.signal_n).ok_acked = true;
        [[fallthrough]];
    case Request::barrier:
        if (r.kind == Request::barrier)
            c.barrier_ok = true;
        if (after_unknown && !c.unknown_by_join) {
            c.certain = true;
            c.room.clear();
            c.peer_id.clear();
            c.peers.clear();
        }
        return;
    }
}

void Harness::on_join_ack(Client& c, const Request& r, const json::object& o) {
    const std::string pid = str(o, "peerId");
    auto a = w_.assigned.find(pid);
    require(a != w_.assigned.end(), "a join ack with an unknown peer id", pid);
    require(a->second.client == c.index, "a join ack with someone else's peer id",
            name(c) + " " + pid);
    require(a->second.room == r.room, "a join ack for another room",
            r.room + " vs " + a->second.room);
    const auto* peers = o.if_contains("peers");
    require(peers && peers->is_array(), "a join ack without peers");
    std::map<std::string, std::string> listed;
    for (const auto& p : peers->as_array()) {
        require(p.is_object(), "a listed peer that is not an object");
        const std::string id = str(p.as_object(), "peerId");
        auto pa = w_.assigned.find(id);
        require(pa != w_.assigned.end(), "a join ack lists an unknown peer", id);
        require(pa->second.client != c.index, "a join ack lists the joiner itself",
                name(c) + " " + id);
        require(pa->second.room == r.room, "a join ack lists a peer of another room",
                id + " of " + pa->second.room + " in " + r.room);
        require(listed.insert({id, pa->second.client_id}).second, "a join ack lists a peer twice");
    }
    // A join or leave sent without an ack after this one leaves the client
    // unsure where it is.
    if (!c.certain && r.seq < c.unknown_since)
        return;
    c.certain = true;
    c.room = r.room;
    c.peer_id = pid;
    c.peers = std::move(listed);
}

// --- checks -----------------------------------------------------------------------------

void Harness::check_step() {
    const auto& budget = w_.engine.budget();
    require(budget.used() <= budget.limit(), "the memory budget overspent",
            std::to_string(budget.used()) + " > " + std::to_string(budget.limit()));
    std::size_t held = 0;
    for (const auto& weak : w_.sessions) {
        auto s = weak.lock();
        if (!s)
            continue;
        require(s->held_bytes() <= kMaxQueued, "a session holds more than its bound",
                std::to_string(s->held_bytes()));
        held += s->held_bytes();
    }
    require(held == budget.used(), "the budget does not match what sessions hold",
            "held " + std::to_string(held) + ", budget used " + std::to_string(budget.used()));
}

// Runs handlers and lets clients read until nothing more happens.
void Harness::drain(std::string_view phase) {
    for (int i = 0; i < 2000; ++i) {
        settle();
        const std::size_t ran = w_.io.poll();
        w_.io.restart();
        bool waiting = false;
        for (auto& c : w_.clients)
            waiting = waiting || !c->inbox.empty();
        if (ran == 0 && !waiting) {
            settle();
            if (w_.io.poll() == 0) {
                w_.io.restart();
                check_step();
                return;
            }
            w_.io.restart();
        }
    }
    violation("the event loop never went quiet", std::string(phase));
}

// Before anyone is closed: everyone reads, a barrier (an acknowledged
// signal to nobody) goes out, and once it is answered each client's view
// must be the registry's.
void Harness::check_quiescent_views() {
    for (auto& c : w_.clients) {
        c->polling = true;
        if (c->link) {
            c->link->reading = true;
            c->link->start();
        }
    }
    drain("before the barrier");
    // Upgrades waiting for their "5" are finished, so those clients read too.
    for (auto& c : w_.clients)
        if (!c->gone && c->probe && c->probe_ponged && !c->probe->let_go) {
            c->kind = eio::TransportKind::websocket;
            c->link = std::move(c->probe);
            c->paused = false;
            if (auto s = session_of(*c))
                ws_frame(*s, c->link.get(), "5", false);
        }
    drain("after the upgrades");
    for (auto& c : w_.clients) {
        if (c->gone || c->sio != Client::Sio::connected || !c->pending_attachment.empty())
            continue;
        const std::uint64_t id = ask(*c, Request{Request::barrier, ++c->seq, {}, 0});
        send_text(*c, "42" + std::to_string(id) +
                          R"(["signal",{"to":"p_nobody","type":"barrier","payload":null}])");
    }
    drain("after the barrier");

    // An acknowledged signal reached its target, or the target is gone.
    for (const auto& [n, s] : w_.signals) {
        if (!s.ok_acked || s.received)
            continue;
        auto a = w_.assigned.find(s.to);
        require(a != w_.assigned.end(), "an ok ack for a signal to nobody", std::to_string(n));
        auto target = w_.clients[a->second.client]->session.lock();
        require(!target || target->closed(), "an ok-acknowledged signal never arrived",
                "#" + std::to_string(n) + " to " + s.to);
    }

    const auto& reg = w_.registry();
    std::size_t members = 0;
    for (auto& c : w_.clients) {
        auto s = c->session.lock();
        const bool live = s && !s->closed();
        for (const auto& [serial, idx] : w_.serial_client) {
            if (idx != c->index || !reg.member(serial))
                continue;
            ++members;
            require(live, "a member whose session is closed", name(*c));
            require(!w_.disconnected.contains(serial), "a member whose socket is gone");
        }
    }
    require(members == reg.member_count(), "registry members no client owns");

    for (auto& c : w_.clients) {
        auto s = c->session.lock();
        if (!s || s->closed() || c->gone || !c->barrier_ok || !c->certain ||
            c->sio != Client::Sio::connected)
            continue;
        std::uint64_t serial = 0;
        for (const auto& [sr, idx] : w_.serial_client)
            if (idx == c->index && !w_.disconnected.contains(sr))
                serial = sr;
        require(serial != 0, "a connected client without a socket", name(*c));
        const auto* m = reg.member(serial);
        if (!m) {
            require(!c->in_room(), "a client thinks it is in a room the registry has it out of",
                    name(*c) + " in " + c->room);
            continue;
        }
        require(c->in_room() && c->peer_id == m->peer_id,
                "a client does not know it is in its room",
                name(*c) + " is " + m->peer_id + ", thinks " + c->peer_id);
        std::set<std::string> expected;
        for (const auto& [other, idx] : w_.serial_client) {
            if (other == serial)
                continue;
            const auto* om = reg.member(other);
            if (om && reg.route(serial, om->peer_id) == other)
                expected.insert(om->peer_id);
        }
        std::set<std::string> seen;
        for (const auto& [p, cid] : c->peers)
            seen.insert(p);
        if (seen != expected) {
            std::string d = name(*c) + " in " + c->room + " sees:";
            for (const auto& p : seen)
                d += " " + p;
            d += "; registry:";
            for (const auto& p : expected)
                d += " " + p;
            violation("a client's view of its room differs from the registry", d);
        }
    }
}

void Harness::close_everything() {
    for (auto& c : w_.clients) {
        auto s = session_of(*c);
        if (!s || s->closed())
            continue;
        if (c->kind == eio::TransportKind::websocket && c->link && !c->link->let_go &&
            !c->link->peer_gone) {
            c->link->peer_gone = true;
            s->on_transport_closed(c->link.get());
        } else if (c->kind == eio::TransportKind::polling) {
            c->gone = false;
            send_text(*c, "1");
        }
        c->gone = true;
    }
    // Whatever a client could not close (a session whose client stopped
    // acting): the server shuts down.
    w_.engine.close_all("end of input");
    drain("closing");
}

void Harness::check_end() {
    require(w_.engine.session_count() == 0, "sessions left in the engine",
            std::to_string(w_.engine.session_count()));
    require(w_.engine.budget().used() == 0, "budget bytes never given back",
            std::to_string(w_.engine.budget().used()));
    require(w_.registry().room_count() == 0, "rooms left in the registry");
    require(w_.registry().member_count() == 0, "members left in the registry");
    require(w_.sio_server.stats().connected == 0, "sockets still counted as connected");
    for (const auto& weak : w_.sessions)
        require(weak.expired(), "a session outlived its teardown (a reference cycle?)");
    for (const auto& c : w_.clients)
        require(!c->get || c->get->answered, "a held GET never answered", name(*c));
}

void Harness::run() {
    std::size_t actions = 0;
    while (!in_.done() && actions++ < kMaxActions) {
        step(in_.byte());
        settle();
        check_step();
    }
    check_quiescent_views();
    close_everything();
    check_end();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    fc::log::set_level(fc::log::Level::error);
    std::vector<std::string> actions;
    g_trace = &actions;
    {
        Input in(data + 1, size - 1);
        World world(kBudgets[data[0] % kBudgets.size()]);
        Harness(world, in).run();
        // World's destructor: the engine (its watchdog cancelled), the
        // servers, the clients' links and exchanges, then the io_context
        // with the cancelled watchdog's handler, never run.
    }
    g_trace = nullptr;
    return 0;
}
