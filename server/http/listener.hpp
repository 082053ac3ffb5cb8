// Accepts TCP connections and starts an HTTP connection (plain or TLS) for
// each.
#pragma once

#include "server/http/router.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace fc::http {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Throws on bind errors (a startup failure). `tls` may be null.
    Listener(boost::asio::io_context &ioc, const boost::asio::ip::tcp::endpoint &endpoint,
             Router &router, boost::asio::ssl::context *tls);

    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
    void run();
    void stop();

private:
    void do_accept();

    boost::asio::io_context &ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    Router &router_;
    boost::asio::ssl::context *tls_;
};

} // namespace fc::http
