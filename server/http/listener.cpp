#include "server/http/listener.hpp"

#include "server/base/log.hpp"
#include "server/http/connection.hpp"

#include <boost/asio/ip/v6_only.hpp>

namespace fc::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

Listener::Listener(asio::io_context& ioc, const tcp::endpoint& endpoint, Router& router,
                   asio::ssl::context* tls, ListenerOptions options)
    : ioc_(ioc), acceptor_(ioc), router_(router), tls_(tls), retry_(ioc) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    if (options.reuse_port)
        acceptor_.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
    if (endpoint.address().is_v6())
        acceptor_.set_option(asio::ip::v6_only(false));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
}

void Listener::run() {
    do_accept();
}

void Listener::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    retry_.cancel();
}

void Listener::do_accept() {
    acceptor_.async_accept(
        ioc_, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !self->acceptor_.is_open())
                return;
            if (ec) {
                // Out of file descriptors, say: log, and try again shortly.
                log::warn("accept_failed", {{"error", ec.message()}});
                self->retry_.expires_after(std::chrono::milliseconds(50));
                self->retry_.async_wait([self](boost::system::error_code wait_ec) {
                    if (!wait_ec && self->acceptor_.is_open())
                        self->do_accept();
                });
                return;
            }
            self->start_connection(std::move(socket));
            self->do_accept();
        });
}

void Listener::start_connection(tcp::socket socket) {
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const auto remote = socket.remote_endpoint(ignored).address();
    // IPv4 clients of a dual-stack socket are keyed by their IPv4 address.
    std::string address =
        remote.is_v6() && remote.to_v6().is_v4_mapped()
            ? asio::ip::make_address_v4(asio::ip::v4_mapped, remote.to_v6()).to_string()
            : remote.to_string();
    if (tls_) {
        std::make_shared<TlsConnection>(
            beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls_),
            router_, std::move(address))
            ->run();
    } else {
        std::make_shared<PlainConnection>(beast::tcp_stream(std::move(socket)), router_,
                                          std::move(address))
            ->run();
    }
}

} // namespace fc::http
