#include "server/engineio/polling_transport.hpp"

#include "server/engineio/server.hpp"
#include "server/engineio/session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/verb.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace fc::engineio;
namespace asio = boost::asio;
using boost::beast::http::verb;

namespace {

class FakeExchange final : public PollExchange {
public:
    void respond(unsigned s, std::string_view, std::string b) override {
        ++answers;
        status = s;
        body = std::move(b);
    }
    int answers = 0;
    unsigned status = 0;
    std::string body;
};

class Recorder final : public SessionHandler {
public:
    explicit Recorder(std::vector<std::string>& log) : log_(log) {}
    void on_message(std::string_view data, bool) override { log_.emplace_back(data); }
    void on_close(std::string_view reason) override { log_.push_back("closed:" + std::string(reason)); }

private:
    std::vector<std::string>& log_;
};

struct Fixture {
    Fixture()
        : server(io.get_executor(), Settings{}, [this](Session& session) {
              session.set_handler(std::make_unique<Recorder>(log));
              last = session.weak_from_this();
          }) {}

    // A polling session, handshake done.
    std::shared_ptr<Session> open() {
        auto ex = std::make_shared<FakeExchange>();
        server.handle_polling(verb::get, "EIO=4&transport=polling", {}, "127.0.0.1", ex);
        return last.lock();
    }
    std::shared_ptr<FakeExchange> request(verb method, const Session& s, std::string_view body = {}) {
        auto ex = std::make_shared<FakeExchange>();
        server.handle_polling(method, "EIO=4&transport=polling&sid=" + s.id(), body, "127.0.0.1",
                              ex);
        return ex;
    }

    asio::io_context io;
    std::vector<std::string> log;
    std::weak_ptr<Session> last;
    Server server;
};

} // namespace

TEST(PollingTransport, AHeldGetTakesEveryQueuedFrameAsOnePayload) {
    Fixture f;
    auto s = f.open();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->polling());
    auto get = f.request(verb::get, *s);
    EXPECT_EQ(get->answers, 0); // held: nothing to say yet
    EXPECT_TRUE(s->send(make_text_frame(PacketType::message, "a")));
    ASSERT_EQ(get->answers, 1);
    EXPECT_EQ(get->body, "4a");
    EXPECT_TRUE(s->send(make_text_frame(PacketType::message, "b")));
    EXPECT_TRUE(s->send(make_text_frame(PacketType::message, "c")));
    EXPECT_EQ(s->held_bytes(), 4u); // queued until the next GET
    auto next = f.request(verb::get, *s);
    ASSERT_EQ(next->answers, 1);
    EXPECT_EQ(next->body, "4b\x1e"
                          "4c");
    // Once in a response the bytes are the HTTP layer's.
    EXPECT_EQ(s->held_bytes(), 0u);
    EXPECT_EQ(f.server.budget().used(), 0u);
}

TEST(PollingTransport, APostDeliversItsPacketsInOrder) {
    Fixture f;
    auto s = f.open();
    auto post = f.request(verb::post, *s, "4one\x1e"
                                          "4two");
    EXPECT_EQ(post->status, 200u);
    EXPECT_EQ(post->body, "ok");
    EXPECT_EQ(f.log, (std::vector<std::string>{"one", "two"}));
}

TEST(PollingTransport, TwoGetsAtOnceCloseTheSession) {
    Fixture f;
    auto s = f.open();
    auto first = f.request(verb::get, *s);
    auto second = f.request(verb::get, *s);
    EXPECT_EQ(second->status, 400u);
    EXPECT_TRUE(s->closed());
    f.io.poll();
    // The first GET learns of it by a close packet.
    EXPECT_EQ(first->body, "1");
    EXPECT_EQ(f.log.back(), "closed:duplicate poll");
}

TEST(PollingTransport, AClientsCloseAnswersTheHeldGetWithANoop) {
    Fixture f;
    auto s = f.open();
    auto get = f.request(verb::get, *s);
    f.request(verb::post, *s, "1");
    f.io.poll();
    EXPECT_EQ(get->body, "6");
    EXPECT_EQ(f.log.back(), "closed:transport close");
}

TEST(PollingTransport, AnOversizedPostIsRefusedAndClosesTheSession) {
    Fixture f;
    auto s = f.open();
    auto post = f.request(verb::post, *s, std::string(Settings{}.max_payload + 1, 'x'));
    EXPECT_EQ(post->status, 413u);
    f.io.poll();
    EXPECT_EQ(f.log.back(), "closed:payload too large");
}
