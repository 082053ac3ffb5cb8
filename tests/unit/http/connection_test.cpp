#include "server/http/connection.hpp"

#include "server/engineio/server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <gtest/gtest.h>

#include <thread>

using namespace fc::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// One real connection on loopback: the server side runs on its own
// thread, the test speaks raw HTTP with blocking calls.
struct ConnectionTest : ::testing::Test {
    // The engine's watchdog ticks forever, so it gets a loop that never
    // runs; `ioc` then runs out of work once the connection is over.
    asio::io_context engine_ioc;
    asio::io_context ioc;
    fc::engineio::Server engine{engine_ioc.get_executor(), fc::engineio::Settings{},
                                [](fc::engineio::Session&) {}};
    StaticFiles files{"/nonexistent-web-root"};
    Router router{RouterConfig{}, engine, nullptr, files, Sources{}};
    tcp::acceptor acceptor{ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};

    // Sends `request`, reads until the server closes, returns what came.
    std::string exchange(const std::string& request) {
        acceptor.async_accept([this](boost::system::error_code ec, tcp::socket s) {
            if (!ec)
                std::make_shared<PlainConnection>(boost::beast::tcp_stream(std::move(s)), router,
                                                  "127.0.0.1")
                    ->run();
        });
        std::thread server([this] { ioc.run(); });
        asio::io_context client_ioc;
        tcp::socket client(client_ioc);
        client.connect(acceptor.local_endpoint());
        boost::system::error_code ec;
        asio::write(client, asio::buffer(request), ec);
        std::string reply;
        asio::read(client, asio::dynamic_buffer(reply), ec);
        client.close();
        server.join();
        return reply;
    }
};

} // namespace

TEST_F(ConnectionTest, AnswersOversizedHeadersWith431) {
    std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (int i = 0; i < 40; ++i)
        request += "X-Filler-" + std::to_string(i) + ": " + std::string(1000, 'a') + "\r\n";
    request += "\r\n";
    ASSERT_GT(request.size(), 32u * 1024);
    const auto reply = exchange(request);
    EXPECT_EQ(reply.rfind("HTTP/1.1 431 ", 0), 0u) << reply.substr(0, 200);
    EXPECT_NE(reply.find("Connection: close"), std::string::npos);
    EXPECT_NE(reply.find("application/json"), std::string::npos);
    EXPECT_NE(reply.find(R"("code":3)"), std::string::npos);
    EXPECT_EQ(router.stats().oversized_headers, 1u);
}

TEST_F(ConnectionTest, AnswersOversizedBodiesWith413) {
    const std::size_t size = engine.settings().max_payload + 4096;
    std::string request = "POST /socket.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\n"
                          "Host: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: " +
                          std::to_string(size) + "\r\n\r\n" + std::string(size, 'a');
    const auto reply = exchange(request);
    EXPECT_EQ(reply.rfind("HTTP/1.1 413 ", 0), 0u) << reply.substr(0, 200);
}
