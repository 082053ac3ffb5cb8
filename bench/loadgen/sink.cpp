// The no-op sink: the least a server can do and still relay, so the
// generator's own ceiling can be measured. It speaks just enough Engine.IO
// and Socket.IO for the generator (open, CONNECT, join ack, signal relay by
// a plain lookup) and checks nothing. Never a server for real clients.
#include "bench/loadgen/scenarios.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>
#include <iostream>
#include <memory>
#include <unordered_map>

namespace fc::loadgen {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

namespace {

class SinkSession;
using Directory = std::unordered_map<std::string, std::weak_ptr<SinkSession>>;

class SinkSession : public std::enable_shared_from_this<SinkSession> {
public:
    SinkSession(tcp::socket s, Directory& dir, std::size_t n)
        : ws_(std::move(s)), dir_(dir), peer_("p" + std::to_string(n)) {}

    void start() {
        ws_.auto_fragment(false);
        ws_.async_accept([self = shared_from_this()](boost::system::error_code ec) {
            if (ec) return;
            self->send(R"(0{"sid":"sink","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})");
            self->read();
        });
    }

    void send(std::string frame) {
        queue_.push_back(std::move(frame));
        if (!writing_) write_next();
    }

private:
    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
            if (ec) {
                self->dir_.erase(self->peer_);
                return;
            }
            auto d = self->buf_.cdata();
            self->on_frame({static_cast<const char*>(d.data()), d.size()});
            self->buf_.consume(self->buf_.size());
            self->read();
        });
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
            target->send(std::move(out));
            return;
        }
        if (f.starts_with("42") && f.find("\"join-room\"") != std::string_view::npos) {
            auto bracket = f.find('[');
            dir_[peer_] = weak_from_this();
            send("43" + std::string(f.substr(2, bracket - 2)) + R"([{"ok":true,"peerId":")" + peer_ +
                 R"(","peers":[],"iceServers":[]}])");
        }
    }

    void write_next() {
        writing_ = true;
        ws_.async_write(boost::asio::buffer(queue_.front()),
                        [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                            self->writing_ = false;
                            if (ec) return;
                            self->queue_.pop_front();
                            if (!self->queue_.empty()) self->write_next();
                        });
    }

    websocket::stream<tcp::socket> ws_;
    Directory& dir_;
    std::string peer_;
    beast::flat_buffer buf_;
    std::deque<std::string> queue_;
    bool writing_ = false;
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
