// The WebSocket transport of a simulated client: one Beast WebSocket over
// TCP from a chosen source address, one write in flight, a queue behind it.
#include "bench/loadgen/client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include <deque>

namespace fc::loadgen {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

namespace {

class WebSocketClient final : public Client {
public:
    using Client::Client;

    void start() override {
        boost::system::error_code ec;
        auto& sock = ws_.next_layer();
        sock.open(endpoint_.server.protocol(), ec);
        if (!ec) bind_source(sock, source_, ec);
        if (ec) return fail(ec, "bind");
        sock.async_connect(endpoint_.server, [self = self()](boost::system::error_code ec) {
            if (ec) return self->fail(ec, "connect");
            self->on_connect();
        });
    }

    void close() override {
        boost::system::error_code ignored;
        ws_.next_layer().close(ignored);
        closed("closed by the load generator");
    }

    std::size_t backlog() const override { return queue_.size(); }

protected:
    void send_packet(std::string packet) override {
        queue_.push_back(std::move(packet));
        if (open_ && !writing_) write_next();
    }

private:
    std::shared_ptr<WebSocketClient> self() {
        return std::static_pointer_cast<WebSocketClient>(shared_from_this());
    }

    void on_connect() {
        boost::system::error_code ignored;
        ws_.next_layer().set_option(tcp::no_delay(true), ignored);
        ws_.set_option(websocket::stream_base::timeout{std::chrono::seconds(30),
                                                       websocket::stream_base::none(), false});
        ws_.auto_fragment(false);
        ws_.read_message_max(16 * 1024 * 1024);
        ws_.async_handshake(endpoint_.host_header, "/socket.io/?EIO=4&transport=websocket",
                            [self = self()](boost::system::error_code ec) {
                                if (ec) return self->fail(ec, "handshake");
                                self->open_ = true;
                                self->read();
                                if (!self->queue_.empty()) self->write_next();
                            });
    }

    void read() {
        ws_.async_read(buffer_, [self = self()](boost::system::error_code ec, std::size_t) {
            if (ec) return self->fail(ec, "read");
            auto data = self->buffer_.cdata();
            std::string_view text(static_cast<const char*>(data.data()), data.size());
            if (self->ws_.got_text()) self->on_packet(text);
            self->buffer_.consume(self->buffer_.size());
            if (self->open_) self->read();
        });
    }

    void write_next() {
        writing_ = true;
        ws_.text(true);
        ws_.async_write(boost::asio::buffer(queue_.front()),
                        [self = self()](boost::system::error_code ec, std::size_t) {
                            if (ec) return self->fail(ec, "write");
                            self->queue_.pop_front();
                            self->writing_ = false;
                            if (!self->queue_.empty() && self->open_) self->write_next();
                        });
    }

    void fail(boost::system::error_code ec, const char* what) {
        open_ = false;
        boost::system::error_code ignored;
        ws_.next_layer().close(ignored);
        closed(std::string(what) + ": " + ec.message());
    }

    websocket::stream<tcp::socket> ws_{io_};
    beast::flat_buffer buffer_;
    std::deque<std::string> queue_;
    bool open_ = false;
    bool writing_ = false;
};

} // namespace

std::shared_ptr<Client> make_websocket_client(boost::asio::io_context& io, const Endpoint& ep,
                                              boost::asio::ip::address source,
                                              ClientObserver& observer, std::size_t index) {
    return std::make_shared<WebSocketClient>(io, ep, std::move(source), observer, index);
}

} // namespace fc::loadgen
