// The no-op sink: the least a server can do and still relay, so the
// generator's own ceiling can be measured. It speaks just enough Engine.IO
// and Socket.IO for the generator (open, CONNECT, join ack, signal relay by
// a plain lookup) and checks nothing. Never a server for real clients.
// Framed and corked like the real server (server/websocket/), so it is
// never slower than the server it stands in for.
#include "bench/loadgen/scenarios.hpp"

#include "server/websocket/frame.hpp"
#include "server/websocket/handshake.hpp"
#include "server/websocket/read_ready.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <iostream>
#include <memory>
#include <unordered_map>

namespace fc::loadgen {

namespace asio = boost::asio;
namespace ws = fc::websocket;
using tcp = asio::ip::tcp;

namespace {

class SinkSession;
using Directory = std::unordered_map<std::string, std::weak_ptr<SinkSession>>;

class SinkSession : public std::enable_shared_from_this<SinkSession> {
public:
    SinkSession(tcp::socket s, Directory& dir, std::size_t n)
        : sock_(std::move(s)), dir_(dir), peer_(std::string(1, 'p').append(std::to_string(n))) {}

    void start() {
        boost::system::error_code ignored;
        sock_.non_blocking(true, ignored);
        wait();
    }

    void send(std::string_view text) {
        ws::append_frame(out_, ws::Opcode::text, text);
        if (!writing_ && !posted_) {
            posted_ = true;
            asio::post(sock_.get_executor(), [self = shared_from_this()] {
                self->posted_ = false;
                self->write();
            });
        }
    }

private:
    void wait() {
        sock_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
            const auto got = ec ? std::span<char>() : ws::read_ready(self->sock_, ec);
            if (ec || (!got.empty() && !self->on_bytes(got.data(), got.size()))) return self->gone();
            self->wait();
        });
    }

    void gone() {
        dir_.erase(peer_);
        boost::system::error_code ignored;
        sock_.close(ignored);
    }

    bool on_bytes(char* data, std::size_t n) {
        in_.append(data, n);
        std::size_t used = 0;
        if (!open_) {
            const auto end = in_.find("\r\n\r\n");
            if (end == std::string::npos) return true;
            constexpr std::string_view kKey = "Sec-WebSocket-Key: ";
            const auto k = in_.find(kKey);
            if (k == std::string::npos) return false;
            const auto key = std::string_view(in_).substr(k + kKey.size(), 24);
            out_ = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: " + ws::accept_key(key) + "\r\n\r\n";
            open_ = true;
            used = end + 4;
            send(R"(0{"sid":"sink","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
        }
        for (;;) {
            const ws::Event e = reader_.next(in_.data() + used, in_.size() - used);
            if (e.kind == ws::Event::Kind::need_more) break;
            if (e.kind == ws::Event::Kind::error || e.kind == ws::Event::Kind::close) return false;
            used += e.consumed;
            if (e.kind == ws::Event::Kind::message) on_frame(e.payload);
        }
        in_.erase(0, used);
        return true;
    }

    void on_frame(std::string_view f) {
        if (f == "40") return send(R"(40{"sid":"sink"})");
        constexpr std::string_view kSignal = R"(42["signal",{"to":")";
        if (f.starts_with(kSignal)) {
            auto rest = f.substr(kSignal.size());
            auto quote = rest.find('"');
            if (quote == std::string_view::npos) return;
            auto it = dir_.find(std::string(rest.substr(0, quote)));
            if (it == dir_.end()) return;
            auto target = it->second.lock();
            if (!target) return;
            std::string out = R"(42["signal",{"from":")";
            out += peer_;
            out += rest.substr(quote);
            target->send(out);
            return;
        }
        if (f.starts_with("42") && f.find("\"join-room\"") != std::string_view::npos) {
            auto bracket = f.find('[');
            dir_[peer_] = weak_from_this();
            send("43" + std::string(f.substr(2, bracket - 2)) + R"([{"ok":true,"peerId":")" + peer_ +
                 R"(","peers":[],"iceServers":[]}])");
        }
    }

    void write() {
        if (writing_ || out_.empty()) return;
        writing_ = true;
        writing_buf_.swap(out_);
        asio::async_write(sock_, asio::buffer(writing_buf_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                              self->writing_ = false;
                              self->writing_buf_.clear();
                              if (ec) return;
                              self->write();
                          });
    }

    tcp::socket sock_;
    Directory& dir_;
    std::string peer_;
    ws::Reader reader_{1 << 20};
    std::string in_, out_, writing_buf_;
    bool open_ = false;
    bool writing_ = false;
    bool posted_ = false;
};

} // namespace

void run_sink(boost::asio::io_context& io, const Options& o) {
    tcp::acceptor acceptor(io, {boost::asio::ip::make_address(o.host), o.port});
    Directory dir;
    std::size_t n = 0;
    std::function<void()> accept = [&] {
        acceptor.async_accept([&](boost::system::error_code ec, tcp::socket s) {
            if (!ec) {
                s.set_option(tcp::no_delay(true), ec);
                std::make_shared<SinkSession>(std::move(s), dir, n++)->start();
            }
            accept();
        });
    };
    accept();
    std::cout << "listening on http://" << o.host << ":" << acceptor.local_endpoint().port() << std::endl;
    io.run();
}

} // namespace fc::loadgen
