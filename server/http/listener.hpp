// Accepts TCP connections and starts an HTTP connection (plain or TLS) for
// each.
#pragma once

#include "server/http/router.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace fc::http {

struct ListenerOptions {
    // SO_REUSEPORT: several processes (--workers) bind the same address and
    // port, and the kernel spreads new connections over them. Every one of
    // them must set it; each then also needs an address of its own that
    // other nodes forward to (a second Listener on the same Router).
    bool reuse_port = false;
};

// Any number of Listeners may share one Router (a public one and a node's
// internal one, say): connections only borrow it.
class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Throws on bind errors (a startup failure). `tls` may be null.
    Listener(boost::asio::io_context& ioc, const boost::asio::ip::tcp::endpoint& endpoint,
             Router& router, boost::asio::ssl::context* tls, ListenerOptions options = {});

    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }
    void run();
    void stop();

private:
    void do_accept();
    void start_connection(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    Router& router_;
    boost::asio::ssl::context* tls_;
    // Paces accept retries after an error (out of file descriptors, say),
    // so a full fd table does not spin the io thread.
    boost::asio::steady_timer retry_;
};

} // namespace fc::http
