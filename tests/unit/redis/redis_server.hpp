// Test support for the Redis client tests: a real redis-server on a free
// loopback port, run as a child process (killed with the test, and with
// the test binary should it die first), and a bounded event-loop runner.
#pragma once

#include "server/redis/endpoint.hpp"

#include <boost/asio/io_context.hpp>

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

namespace fc::redis::test {

using namespace std::chrono_literals;

inline constexpr const char* kRedisServer = "/usr/bin/redis-server";

inline bool redis_available() {
    return ::access(kRedisServer, X_OK) == 0;
}

// A port nobody listens on right now (the kernel's pick for an ephemeral
// bind, released at once).
inline std::uint16_t free_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

class RedisServer {
public:
    explicit RedisServer(std::uint16_t port = free_port()) : port_(port) {}
    ~RedisServer() { kill(); }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    std::uint16_t port() const { return port_; }
    Endpoint endpoint(int db = 0) const { return Endpoint{"127.0.0.1", port_, db}; }

    // Starts it (again); true once it answers, as itself. A first start
    // whose port another test's server took between free_port() and the
    // bind moves to a new port; a restart keeps its port (clients know it).
    bool start() {
        for (int attempt = 0; attempt < 5; ++attempt) {
            if (spawn())
                return started_ = true;
            if (started_)
                return false;
            port_ = free_port();
        }
        return false;
    }
    void kill() {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    void pause() { ::kill(pid_, SIGSTOP); }
    void resume() { ::kill(pid_, SIGCONT); }

private:
    // True once the child answers on port_; false if it exits first (the
    // port was taken) or says nothing within 5 s.
    bool spawn() {
        kill();
        const std::string port = std::to_string(port_);
        pid_ = ::fork();
        if (pid_ == 0) {
            // Only async-signal-safe calls between fork and exec.
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            const int null = ::open("/dev/null", O_RDWR);
            ::dup2(null, 1);
            ::dup2(null, 2);
            const char* argv[] = {kRedisServer, "--port",      port.c_str(), "--bind",
                                  "127.0.0.1",  "--save",      "",           "--appendonly",
                                  "no",         "--daemonize", "no",         nullptr};
            ::execv(kRedisServer, const_cast<char* const*>(argv));
            ::_exit(127);
        }
        if (pid_ < 0)
            return false;
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return false;
            }
            if (answers())
                return true;
            std::this_thread::sleep_for(10ms);
        }
        return false;
    }

    // Whether the server on port_ is ours (its process id is our child's),
    // not another test's that took the port first.
    bool answers() const {
        const timeval tv{0, 200'000};
        redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
        bool ok = false;
        if (c != nullptr && c->err == 0) {
            auto* r = static_cast<redisReply*>(redisCommand(c, "INFO server"));
            ok = r != nullptr && r->type == REDIS_REPLY_STRING &&
                 std::string_view(r->str, r->len).find("\r\nprocess_id:" + std::to_string(pid_) + "\r\n") !=
                     std::string_view::npos;
            if (r != nullptr)
                freeReplyObject(r);
        }
        redisFree(c);
        return ok;
    }

    std::uint16_t port_;
    pid_t pid_ = -1;
    bool started_ = false; // once: a restart keeps the port
};

// Runs `io` until `pred()` holds, one handler at a time, for at most `limit`.
template <typename Pred>
bool run_until(boost::asio::io_context& io, Pred pred, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            return false;
        if (io.stopped())
            io.restart();
        if (io.run_one_for(deadline - now) == 0 && io.stopped())
            std::this_thread::sleep_for(1ms); // no work at all: do not spin
    }
    return true;
}

// Runs `io` for `d`, whether or not it has work (to see that something
// does not happen); returns the number of handlers run.
inline std::size_t run_for(boost::asio::io_context& io, std::chrono::milliseconds d) {
    const auto end = std::chrono::steady_clock::now() + d;
    std::size_t n = 0;
    for (auto now = std::chrono::steady_clock::now(); now < end;
         now = std::chrono::steady_clock::now()) {
        if (io.stopped())
            io.restart();
        const std::size_t ran = io.run_for(end - now);
        n += ran;
        if (ran == 0 && io.stopped())
            std::this_thread::sleep_for(1ms);
    }
    return n;
}

} // namespace fc::redis::test
