// The long-polling transport of a simulated client, as socket.io-client
// speaks it with `transports: ["polling"]`: one GET always pending on one
// keep-alive connection, one POST at a time on another carrying every
// packet queued meanwhile (joined by the record separator).
#include "bench/loadgen/client.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>

#include <vector>

namespace fc::loadgen {

namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr char kSeparator = '\x1e';

class PollingClient final : public Client {
public:
    using Client::Client;

    void start() override {
        open_socket(get_sock_, [self = self()] { self->poll(); });
    }

    void close() override {
        boost::system::error_code ignored;
        get_sock_.close(ignored);
        post_sock_.close(ignored);
        closed("closed by the load generator");
    }

    std::size_t backlog() const override { return queue_.size(); }

protected:
    void send_packet(std::string packet) override {
        queue_.push_back(std::move(packet));
        if (!sid_.empty() && !posting_ && post_ready_) post();
    }

private:
    std::shared_ptr<PollingClient> self() {
        return std::static_pointer_cast<PollingClient>(shared_from_this());
    }

    template <class Then> void open_socket(tcp::socket& sock, Then then) {
        boost::system::error_code ec;
        sock.open(endpoint_.server.protocol(), ec);
        if (!ec) bind_source(sock, source_, ec);
        if (ec) return fail(ec, "bind");
        sock.async_connect(endpoint_.server, [self = self(), &sock, then](boost::system::error_code ec) {
            if (ec) return self->fail(ec, "connect");
            boost::system::error_code ignored;
            sock.set_option(tcp::no_delay(true), ignored);
            then();
        });
    }

    std::string target() const {
        std::string t = "/socket.io/?EIO=4&transport=polling";
        if (!sid_.empty()) t += "&sid=" + sid_;
        return t;
    }

    void poll() {
        get_req_ = {http::verb::get, target(), 11};
        get_req_.set(http::field::host, endpoint_.host_header);
        http::async_write(get_sock_, get_req_, [self = self()](boost::system::error_code ec, std::size_t) {
            if (ec) return self->fail(ec, "poll write");
            self->get_res_ = {};
            http::async_read(self->get_sock_, self->get_buf_, self->get_res_,
                             [self](boost::system::error_code ec, std::size_t) {
                                 if (ec) return self->fail(ec, "poll read");
                                 self->on_poll_response();
                             });
        });
    }

    void on_poll_response() {
        if (get_res_.result() != http::status::ok)
            return fail({}, "poll answered HTTP " + std::to_string(get_res_.result_int()));
        std::string body = std::move(get_res_.body());
        bool first = sid_.empty();
        std::string_view rest = body;
        while (!rest.empty()) {
            auto end = rest.find(kSeparator);
            auto packet = rest.substr(0, end);
            if (first && packet.starts_with('0')) {
                boost::system::error_code ec;
                auto open = boost::json::parse(packet.substr(1), ec);
                if (ec || !open.is_object() || !open.as_object().contains("sid"))
                    return fail({}, "bad handshake");
                sid_ = open.as_object().at("sid").as_string();
                open_socket(post_sock_, [self = self()] {
                    self->post_ready_ = true;
                    if (!self->queue_.empty() && !self->posting_) self->post();
                });
            }
            on_packet(packet);
            if (end == std::string_view::npos) break;
            rest.remove_prefix(end + 1);
        }
        if (get_sock_.is_open()) poll();
    }

    void post() {
        posting_ = true;
        std::string body;
        for (auto& p : queue_) {
            if (!body.empty()) body += kSeparator;
            body += p;
        }
        queue_.clear();
        post_req_ = {http::verb::post, target(), 11};
        post_req_.set(http::field::host, endpoint_.host_header);
        post_req_.set(http::field::content_type, "text/plain;charset=UTF-8");
        post_req_.body() = std::move(body);
        post_req_.prepare_payload();
        http::async_write(post_sock_, post_req_, [self = self()](boost::system::error_code ec, std::size_t) {
            if (ec) return self->fail(ec, "post write");
            self->post_res_ = {};
            http::async_read(self->post_sock_, self->post_buf_, self->post_res_,
                             [self](boost::system::error_code ec, std::size_t) {
                                 if (ec) return self->fail(ec, "post read");
                                 if (self->post_res_.result() != http::status::ok)
                                     return self->fail({}, "post answered HTTP " +
                                                               std::to_string(self->post_res_.result_int()));
                                 self->posting_ = false;
                                 if (!self->queue_.empty()) self->post();
                             });
        });
    }

    void fail(boost::system::error_code ec, const std::string& what) {
        boost::system::error_code ignored;
        get_sock_.close(ignored);
        post_sock_.close(ignored);
        closed(ec ? what + ": " + ec.message() : what);
    }

    tcp::socket get_sock_{io_};
    tcp::socket post_sock_{io_};
    beast::flat_buffer get_buf_;
    beast::flat_buffer post_buf_;
    http::request<http::empty_body> get_req_;
    http::response<http::string_body> get_res_;
    http::request<http::string_body> post_req_;
    http::response<http::string_body> post_res_;
    std::vector<std::string> queue_;
    std::string sid_;
    bool posting_ = false;
    bool post_ready_ = false;
};

} // namespace

std::shared_ptr<Client> make_polling_client(boost::asio::io_context& io, const Endpoint& ep,
                                            boost::asio::ip::address source,
                                            ClientObserver& observer, std::size_t index) {
    return std::make_shared<PollingClient>(io, ep, std::move(source), observer, index);
}

} // namespace fc::loadgen
