#include "server/app/workers.hpp"

#include "server/app/application.hpp"
#include "server/base/log.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

namespace fc::app {

namespace {

volatile sig_atomic_t stopping = 0;

void on_stop_signal(int) {
    stopping = 1;
}

// Port 0 means "a free one": chosen here, once, so every worker binds the
// same. The socket stays bound (not listening: it takes no connections)
// until the workers listen, so nothing else takes the port meanwhile.
int reserve_port(const Config& config, std::uint16_t& port) {
    in_addr addr{};
    if (inet_pton(AF_INET, config.host.c_str(), &addr) != 1)
        throw std::runtime_error("--workers needs an IPv4 --host, got " + config.host);
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr = addr;
    sa.sin_port = htons(config.port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        throw std::runtime_error("bind " + config.host + ":" + std::to_string(config.port) + ": " + why);
    }
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    port = ntohs(sa.sin_port);
    return fd;
}

pid_t spawn_worker(const Config& base, unsigned index) {
    const pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid > 0)
        return pid;
    // The worker: default signal handling again, then a whole server.
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
    Config c = base;
    c.workers = 1;
    c.reuse_port = true;
    c.worker_index = static_cast<int>(index);
    c.print_qr = base.print_qr && index == 0;
    int code = 0;
    try {
        Application app(std::move(c));
        app.run();
    } catch (const std::exception& e) {
        log::error("fatal", {{"worker", std::to_string(index)}, {"error", e.what()}});
        code = 1;
    }
    std::fflush(stdout);
    ::_exit(code);
}

} // namespace

int run_workers(Config config) {
    std::uint16_t port = 0;
    const int reserved = reserve_port(config, port);
    config.port = port;
    struct sigaction sa{};
    sa.sa_handler = on_stop_signal;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    std::fflush(stdout);

    std::vector<pid_t> workers(config.workers, 0);
    for (unsigned i = 0; i < config.workers; ++i)
        workers[i] = spawn_worker(config, i);
    log::info("workers", {{"count", std::to_string(config.workers)}, {"port", std::to_string(port)}});
    bool released = false;
    int code = 0;
    auto last_restart = std::chrono::steady_clock::now() - std::chrono::seconds(10);
    for (;;) {
        if (stopping) {
            for (pid_t p : workers)
                if (p > 0)
                    ::kill(p, SIGTERM);
            for (pid_t& p : workers) {
                int status = 0;
                if (p > 0 && ::waitpid(p, &status, 0) == p && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
                    code = 1;
                p = 0;
            }
            break;
        }
        if (!released) {
            // The workers bind within moments; the reservation is not needed after.
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            ::close(reserved);
            released = true;
            continue;
        }
        int status = 0;
        const pid_t done = ::waitpid(-1, &status, WNOHANG);
        if (done <= 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        for (unsigned i = 0; i < workers.size(); ++i) {
            if (workers[i] != done || stopping)
                continue;
            // A worker died: its clients reconnect to the others; a fresh
            // worker takes its place (at most one restart a second).
            log::warn("worker died", {{"worker", std::to_string(i)},
                                      {"status", std::to_string(status)}});
            const auto now = std::chrono::steady_clock::now();
            if (now - last_restart < std::chrono::seconds(1))
                std::this_thread::sleep_for(std::chrono::seconds(1));
            last_restart = std::chrono::steady_clock::now();
            workers[i] = spawn_worker(config, i);
        }
    }
    if (!released)
        ::close(reserved);
    return code;
}

} // namespace fc::app
