// The WebSocket transport of a simulated client, framed by hand with the
// server's own RFC 6455 code (as a client: masked frames out, unmasked in):
// what a turn emits is written at once (the rest, if the socket does not
// take it all, in one write in flight), and reading waits in the fleet's
// ReadySet, then drains into a per-thread buffer.
// Lean on purpose: the generator must outrun the server it loads.
#include "bench/loadgen/client.hpp"

#include "server/websocket/frame.hpp"
#include "server/websocket/read_ready.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <cstring>

namespace fc::loadgen {

namespace asio = boost::asio;
namespace ws = fc::websocket;
using tcp = asio::ip::tcp;

namespace {

class WebSocketClient final : public Client, public ws::ReadySet::Reader {
public:
    WebSocketClient(asio::io_context& io, ws::ReadySet& ready, const Endpoint& ep,
                    asio::ip::address source, ClientObserver& observer, std::size_t index)
        : Client(io, ep, std::move(source), observer, index), ready_(ready),
          rng_(0x9E3779B97F4A7C15ULL ^ (index * 0xBF58476D1CE4E5B9ULL + 1)) {}

    void start() override {
        boost::system::error_code ec;
        sock_.open(endpoint_.server.protocol(), ec);
        if (!ec) bind_source(sock_, source_, ec);
        if (ec) return fail(ec, "bind");
        sock_.async_connect(endpoint_.server, [self = self()](boost::system::error_code ec) {
            if (ec) return self->fail(ec, "connect");
            self->on_connect();
        });
    }

    void close() override {
        closed_here_ = true;
        open_ = false;
        ready_.remove(sock_.native_handle());
        boost::system::error_code ignored;
        sock_.close(ignored);
        closed("closed by the load generator");
    }

    std::size_t backlog() const override { return queued_; }

protected:
    void send_packet(std::string packet) override {
        unsigned char key[4];
        const std::uint64_t r = next_random();
        std::memcpy(key, &r, 4);
        unsigned char head[ws::kMaxClientHeaderSize];
        const std::size_t h = ws::encode_client_header(ws::Opcode::text, packet.size(), key, head);
        ws::mask(packet.data(), packet.size(), key);
        out_.append(reinterpret_cast<const char*>(head), h);
        out_ += packet;
        ++queued_;
        // Corked: what this turn of the event loop emits goes out in one
        // write (a burst of receipts each sending the next signal, say).
        if (open_ && !writing_ && !write_posted_) {
            write_posted_ = true;
            asio::post(io_, [self = self()] {
                self->write_posted_ = false;
                self->write_out();
            });
        }
    }

private:
    std::shared_ptr<WebSocketClient> self() {
        return std::static_pointer_cast<WebSocketClient>(shared_from_this());
    }

    std::uint64_t next_random() {
        rng_ ^= rng_ << 13;
        rng_ ^= rng_ >> 7;
        rng_ ^= rng_ << 17;
        return rng_;
    }

    void on_connect() {
        boost::system::error_code ignored;
        sock_.set_option(tcp::no_delay(true), ignored);
        sock_.non_blocking(true, ignored);
        std::string req = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: ";
        req += endpoint_.host_header;
        req += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: ZmVzdGl2YWwtY2hhdC1sZw==\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n";
        // The request goes before any frame queued meanwhile.
        out_.insert(0, req);
        write_out();
        if (!closed_here_ && !ready_.add(sock_.native_handle(), self()))
            fail(boost::system::error_code(errno, boost::system::system_category()), "watch");
    }

    void on_readable() override {
        if (closed_here_) return;
        boost::system::error_code ec;
        const auto got = ws::read_ready(sock_, ec);
        if (ec) return fail(ec, "read");
        if (!got.empty()) on_bytes(got.data(), got.size());
    }

    void on_bytes(char* data, std::size_t n) {
        char* p = data;
        std::size_t size = n;
        if (!in_.empty()) {
            in_.append(data, n);
            p = in_.data();
            size = in_.size();
        }
        std::size_t used = 0;
        if (!open_) {
            // The handshake answer: its status line, then frames.
            const std::string_view seen(p, size);
            const auto end = seen.find("\r\n\r\n");
            if (end == std::string_view::npos) {
                if (p != in_.data()) in_.assign(p, size);
                return;
            }
            if (!seen.starts_with("HTTP/1.1 101")) {
                return fail(asio::error::connection_refused, "handshake");
            }
            used = end + 4;
            open_ = true;
            write_out();
        }
        while (!closed_here_) {
            const ws::Event e = reader_.next(p + used, size - used);
            if (e.kind == ws::Event::Kind::need_more) break;
            if (e.kind == ws::Event::Kind::error)
                return fail(asio::error::invalid_argument, e.what);
            used += e.consumed;
            if (e.kind == ws::Event::Kind::message && !e.binary) {
                on_packet(e.payload);
            } else if (e.kind == ws::Event::Kind::close) {
                return fail(asio::error::eof, "WebSocket close");
            }
        }
        if (closed_here_) return;
        if (p == in_.data()) in_.erase(0, used);
        else in_.assign(p + used, size - used);
    }

    void write_out() {
        if (writing_ || out_.empty() || closed_here_) return;
        // At once, as far as the socket takes it (non-blocking).
        boost::system::error_code ec;
        const std::size_t n = sock_.write_some(asio::buffer(out_), ec);
        if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return fail(ec, "write");
        if (n == out_.size()) {
            out_.clear();
            queued_ = 0;
            return;
        }
        out_.erase(0, n);
        writing_ = true;
        writing_buf_.swap(out_);
        queued_ = 0;
        asio::async_write(sock_, asio::buffer(writing_buf_),
                          [self = self()](boost::system::error_code ec, std::size_t) {
                              self->writing_ = false;
                              self->writing_buf_.clear();
                              if (ec) return self->fail(ec, "write");
                              self->write_out();
                          });
    }

    void fail(boost::system::error_code ec, const char* what) {
        if (closed_here_) return;
        closed_here_ = true;
        open_ = false;
        ready_.remove(sock_.native_handle());
        boost::system::error_code ignored;
        sock_.close(ignored);
        closed(std::string(what) + ": " + ec.message());
    }

    ws::ReadySet& ready_;
    tcp::socket sock_{io_};
    ws::Reader reader_{16 * 1024 * 1024, ws::Role::client};
    std::string in_;          // bytes of an incomplete frame (or handshake answer)
    std::string out_;         // frames emitted since the last write started
    std::string writing_buf_; // the write in flight
    std::size_t queued_ = 0;  // frames in out_
    std::uint64_t rng_;
    bool open_ = false;
    bool writing_ = false;
    bool write_posted_ = false;
    bool closed_here_ = false;
};

} // namespace

std::shared_ptr<Client> make_websocket_client(boost::asio::io_context& io, ws::ReadySet& ready,
                                              const Endpoint& ep, boost::asio::ip::address source,
                                              ClientObserver& observer, std::size_t index) {
    return std::make_shared<WebSocketClient>(io, ready, ep, std::move(source), observer, index);
}

} // namespace fc::loadgen
