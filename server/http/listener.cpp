#include "server/http/listener.hpp"

#include "server/base/log.hpp"
#include "server/http/connection.hpp"

#include <boost/asio/ip/v6_only.hpp>

namespace fc::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

Listener::Listener(asio::io_context &ioc, const tcp::endpoint &endpoint, Router &router,
                   asio::ssl::context *tls)
    : ioc_(ioc), acceptor_(ioc), router_(router), tls_(tls) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
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
}

void Listener::do_accept() {
    acceptor_.async_accept(
        ioc_, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !self->acceptor_.is_open())
                return;
            if (ec) {
                // Out of file descriptors, say: log, and keep accepting.
                log::warn("accept_failed", {{"error", ec.message()}});
            } else {
                boost::system::error_code ignored;
                socket.set_option(tcp::no_delay(true), ignored);
                auto remote = socket.remote_endpoint(ignored);
                std::string address =
                    remote.address().is_v6() && remote.address().to_v6().is_v4_mapped()
                        ? asio::ip::make_address_v4(asio::ip::v4_mapped, remote.address().to_v6())
                              .to_string()
                        : remote.address().to_string();
                if (self->tls_) {
                    std::make_shared<TlsConnection>(
                        beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)),
                                                             *self->tls_),
                        self->router_, std::move(address))
                        ->run();
                } else {
                    std::make_shared<PlainConnection>(beast::tcp_stream(std::move(socket)),
                                                      self->router_, std::move(address))
                        ->run();
                }
            }
            self->do_accept();
        });
}

} // namespace fc::http
