// The no-op sink: the least a server can do and still relay, so the
// generator's own ceiling can be measured, and the floor under any relay's
// CPU per signal on this kernel (the relay grid's yardstick). It speaks
// just enough Engine.IO and Socket.IO for the generator (open, CONNECT, a
// join ack with a peerId and no peers, `signal` to the member its `to`
// names, rewritten to `from` as a server would) and checks nothing: no
// validation, JSON, rooms, heartbeats, limits or budgets. What is left is
// what no relay skips: one recv per readable socket, unmasking, a frame
// header, and one send per socket with frames to go, gathered over an
// epoll turn, on one thread with level-triggered epoll (nothing re-armed
// per read, unlike Asio). It trusts its client: never a server for real
// clients.
#include "bench/loadgen/scenarios.hpp"

#include "server/websocket/frame.hpp"
#include "server/websocket/handshake.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace fc::loadgen {

namespace {

constexpr std::size_t kReadBytes = 64 * 1024;
// A member whose unsent frames pass this is cut, as a slow consumer.
constexpr std::size_t kMaxUnsent = 64u << 20;

struct Conn {
    int fd = -1;
    std::size_t index = 0;
    std::string peer;     // its peerId: "p" and its index
    bool open = false;    // past the HTTP handshake
    bool writing = false; // waiting for EPOLLOUT
    bool dirty = false;   // on the flush list
    std::string in;       // an incomplete request or frame
    std::string out;      // frames not yet sent
};

class Relay {
public:
    explicit Relay(int listener) : listener_(listener) {
        ep_ = ::epoll_create1(EPOLL_CLOEXEC);
        watch(listener_, EPOLLIN, EPOLL_CTL_ADD, nullptr);
    }

    [[noreturn]] void run() {
        std::vector<epoll_event> events(512);
        std::unique_ptr<char[]> scratch(new char[kReadBytes]);
        for (;;) {
            const int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()), -1);
            if (n < 0 && errno != EINTR) fail("epoll_wait");
            for (int i = 0; i < n; ++i) {
                auto* c = static_cast<Conn*>(events[i].data.ptr);
                if (!c) {
                    accept_all();
                    continue;
                }
                if (c->fd < 0) continue; // closed earlier in this turn
                if (events[i].events & EPOLLOUT) flush(*c);
                if (c->fd >= 0 && (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) read(*c, scratch.get());
            }
            // Frames for a member are gathered over the turn and sent at once.
            for (Conn* c : dirty_) {
                c->dirty = false;
                if (c->fd >= 0 && !c->writing) flush(*c);
            }
            dirty_.clear();
            dead_.clear(); // closed this turn: nothing refers to them now
        }
    }

private:
    [[noreturn]] static void fail(const char* what) {
        std::perror(what);
        std::exit(1);
    }

    void watch(int fd, std::uint32_t events, int op, Conn* c) {
        epoll_event ev{};
        ev.events = events;
        ev.data.ptr = c;
        if (::epoll_ctl(ep_, op, fd, &ev) != 0) fail("epoll_ctl");
    }

    void accept_all() {
        for (;;) {
            const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0 && (errno == EMFILE || errno == ENFILE)) fail("accept4"); // (level-triggered: it would spin)
            if (fd < 0) return;
            int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            auto c = std::make_unique<Conn>();
            c->fd = fd;
            c->index = conns_.size();
            c->peer = std::string(1, 'p').append(std::to_string(c->index));
            watch(fd, EPOLLIN, EPOLL_CTL_ADD, c.get());
            conns_.push_back(std::move(c));
        }
    }

    void close(Conn& c) {
        if (c.fd < 0) return;
        ::close(c.fd); // also leaves the epoll set
        c.fd = -1;
        dead_.push_back(std::move(conns_[c.index]));
    }

    void read(Conn& c, char* scratch) {
        const ssize_t got = ::recv(c.fd, scratch, kReadBytes, 0);
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (got <= 0) return close(c);
        char* data = scratch;
        std::size_t size = static_cast<std::size_t>(got);
        if (!c.in.empty()) {
            c.in.append(data, size);
            data = c.in.data();
            size = c.in.size();
        }
        const std::size_t used = c.open ? frames(c, data, size) : handshake(c, data, size);
        if (c.fd < 0) return;
        if (data == c.in.data())
            c.in.erase(0, used);
        else
            c.in.assign(data + used, size - used);
    }

    std::size_t handshake(Conn& c, char* data, std::size_t size) {
        const std::string_view req(data, size);
        const auto end = req.find("\r\n\r\n");
        if (end == std::string_view::npos) return 0;
        constexpr std::string_view kKey = "Sec-WebSocket-Key: ";
        const auto at = req.find(kKey);
        if (at == std::string_view::npos || at > end) {
            close(c);
            return 0;
        }
        const auto key = req.substr(at + kKey.size(), req.find("\r\n", at) - at - kKey.size());
        c.out += "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: ";
        c.out += fc::websocket::accept_key(key);
        c.out += "\r\n\r\n";
        c.open = true;
        // No heartbeats: a run is shorter than the interval.
        send_text(c, R"(0{"sid":"sink","upgrades":[],"pingInterval":600000,"pingTimeout":600000,)"
                     R"("maxPayload":1000000})");
        return end + 4 + frames(c, data + end + 4, size - end - 4);
    }

    // Handles each whole client frame in data[0, size); returns the bytes used.
    std::size_t frames(Conn& c, char* data, std::size_t size) {
        std::size_t used = 0;
        for (;;) {
            auto* p = reinterpret_cast<unsigned char*>(data + used);
            const std::size_t left = size - used;
            if (left < 2) return used;
            const unsigned opcode = p[0] & 0x0f;
            std::size_t len = p[1] & 0x7f, head = 2;
            if (len == 126) {
                if (left < 4) return used;
                len = (std::size_t{p[2]} << 8) | p[3];
                head = 4;
            } else if (len == 127) {
                if (left < 10) return used;
                len = 0;
                for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
                head = 10;
            }
            const bool masked = p[1] & 0x80;
            const std::size_t mask_at = head;
            if (masked) head += 4;
            if (left < head + len) return used;
            unsigned char* payload = p + head;
            if (masked) websocket::mask(reinterpret_cast<char*>(payload), len, p + mask_at);
            used += head + len;
            if (opcode == 0x8) {
                close(c);
                return used;
            }
            if (opcode == 0x1) message(c, std::string_view(reinterpret_cast<char*>(payload), len));
            if (c.fd < 0) return used;
        }
    }

    void message(Conn& c, std::string_view text) {
        constexpr std::string_view kSignal = R"(42["signal",{"to":"p)";
        if (text.starts_with(kSignal)) {
            // peerIds are "p" and the member's index.
            const char* digits = text.data() + kSignal.size();
            const char* end = text.data() + text.size();
            std::size_t to = SIZE_MAX;
            const auto [after, ec] = std::from_chars(digits, end, to);
            if (ec != std::errc() || to >= conns_.size() || !conns_[to]) return;
            const std::string_view from = c.peer, rest(after, static_cast<std::size_t>(end - after));
            constexpr std::string_view kFrom = R"(42["signal",{"from":")";
            Conn& target = *conns_[to];
            append_header(target, kFrom.size() + from.size() + rest.size());
            target.out.append(kFrom).append(from).append(rest);
            return queued(target);
        }
        if (text == "40") return send_text(c, "40{\"sid\":\"s" + std::to_string(c.index) + "\"}");
        if (text.starts_with("42") && text.find("\"join-room\"") != std::string_view::npos) {
            const std::string_view id = text.substr(2, text.find('[') - 2);
            return send_text(c, "43" + std::string(id) + "[{\"ok\":true,\"peerId\":\"" + c.peer +
                                    "\",\"peers\":[],\"iceServers\":[]}]");
        }
    }

    void send_text(Conn& c, std::string_view text) {
        append_header(c, text.size());
        c.out.append(text);
        queued(c);
    }

    // A server's text frame header (unmasked) for `size` payload bytes.
    static void append_header(Conn& c, std::size_t size) {
        char head[10];
        std::size_t n = 2;
        head[0] = static_cast<char>(0x81);
        if (size < 126) {
            head[1] = static_cast<char>(size);
        } else if (size < 65536) {
            head[1] = 126;
            head[2] = static_cast<char>(size >> 8);
            head[3] = static_cast<char>(size);
            n = 4;
        } else {
            head[1] = 127;
            for (int i = 0; i < 8; ++i) head[2 + i] = static_cast<char>(std::uint64_t{size} >> (56 - 8 * i));
            n = 10;
        }
        c.out.append(head, n);
    }

    // Frames were added to c.out: it is flushed at the end of the turn.
    void queued(Conn& c) {
        if (c.out.size() > kMaxUnsent) return close(c);
        if (!c.dirty) {
            c.dirty = true;
            dirty_.push_back(&c);
        }
    }

    void flush(Conn& c) {
        if (!c.out.empty()) {
            const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN && errno != EINTR) return close(c);
            if (n > 0) c.out.erase(0, static_cast<std::size_t>(n));
        }
        const bool stuck = !c.out.empty();
        if (stuck != c.writing) {
            c.writing = stuck;
            watch(c.fd, stuck ? EPOLLIN | EPOLLOUT : EPOLLIN, EPOLL_CTL_MOD, &c);
        }
    }

    int listener_;
    int ep_ = -1;
    std::vector<std::unique_ptr<Conn>> conns_; // by index; empty once closed
    std::vector<Conn*> dirty_;                  // with frames to send this turn
    std::vector<std::unique_ptr<Conn>> dead_;   // closed this turn, freed at its end
};

} // namespace

void run_sink(const Options& o) {
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(o.port);
    if (::inet_pton(AF_INET, o.host.c_str(), &at.sin_addr) != 1 ||
        ::bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 || ::listen(listener, 4096) != 0) {
        std::perror("fc-loadgen sink: bind/listen");
        std::exit(1);
    }
    socklen_t len = sizeof at;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&at), &len);
    std::cout << "listening on http://" << o.host << ":" << ntohs(at.sin_port) << std::endl;
    Relay(listener).run();
}

} // namespace fc::loadgen
