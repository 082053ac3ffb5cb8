#include "server/engineio/session.hpp"

#include "server/engineio/server.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace fc::engineio;
namespace asio = boost::asio;

namespace {

// A WebSocket that records what it is given and completes writes only
// when told to, like a client that reads at its own pace.
class FakeLink final : public Transport {
public:
    TransportKind kind() const override { return TransportKind::websocket; }
    bool writable() const override { return true; }
    bool corked() const override { return true; }
    bool send(FrameQueue& q) override {
        while (!q.empty())
            written.push_back(q.pop()->bytes);
        ++writes;
        return true;
    }
    void close(bool) override { closed = true; }
    void abort() override { aborted = true; }

    std::vector<std::string> written;
    int writes = 0;
    bool closed = false;
    bool aborted = false;
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
    explicit Fixture(Settings s = small()) : server(io.get_executor(), s, [this](Session& session) {
        session.set_handler(std::make_unique<Recorder>(log));
    }) {}

    static Settings small() {
        Settings s;
        s.max_queued_bytes = 300; // the open packet is about 110
        s.memory_budget = 1000;
        s.write_timeout = std::chrono::milliseconds(1000);
        return s;
    }

    // A WebSocket session whose open packet has been written.
    std::shared_ptr<Session> open(const std::shared_ptr<FakeLink>& link) {
        auto s = server.attach_websocket("EIO=4&transport=websocket", "127.0.0.1", link);
        io.poll(); // the corked write of the open packet
        return s;
    }

    asio::io_context io;
    std::vector<std::string> log;
    Server server;
};

FramePtr frame_of(std::size_t n) {
    return make_text_frame(PacketType::message, std::string(n - 1, 'x'));
}

} // namespace

TEST(Session, AnOverflowingSendIsRefusedAndTheCloseComesOnALaterTurn) {
    Fixture f;
    auto link = std::make_shared<FakeLink>();
    auto s = f.open(link); // the open packet's write is still in flight
    ASSERT_TRUE(s);
    EXPECT_TRUE(s->send(frame_of(150)));
    EXPECT_FALSE(s->send(frame_of(100)));
    // Marked at once, nothing told yet: a broadcast in progress goes on.
    EXPECT_TRUE(s->closed());
    EXPECT_TRUE(f.log.empty());
    EXPECT_FALSE(s->send(frame_of(1)));
    f.io.poll();
    ASSERT_EQ(f.log.size(), 1u);
    EXPECT_EQ(f.log[0], "closed:slow consumer");
    EXPECT_TRUE(link->closed);
    EXPECT_EQ(f.server.stats().slow_consumers, 1u);
    EXPECT_EQ(f.server.budget().used(), 0u);
}

TEST(Session, WrittenBytesAreGivenBackWhenTheWriteCompletes) {
    Fixture f;
    auto link = std::make_shared<FakeLink>();
    auto s = f.open(link);
    s->on_written(link.get(), true); // the open packet
    const auto base = f.server.budget().used();
    EXPECT_TRUE(s->send(frame_of(160)));
    f.io.poll();
    EXPECT_EQ(s->held_bytes(), 160u);
    EXPECT_EQ(f.server.budget().used(), base + 160);
    s->on_written(link.get(), true);
    EXPECT_EQ(s->held_bytes(), 0u);
    EXPECT_EQ(f.server.budget().used(), base);
    EXPECT_TRUE(s->send(frame_of(290))); // fits again
}

TEST(Session, ReservedBytesCountAgainstTheClientsBound) {
    Fixture f;
    auto link = std::make_shared<FakeLink>();
    auto s = f.open(link);
    s->on_written(link.get(), true);
    EXPECT_TRUE(s->reserve(200));
    EXPECT_FALSE(s->send(frame_of(150)));
    f.io.poll();
    EXPECT_EQ(f.log.back(), "closed:slow consumer");
    EXPECT_EQ(f.server.budget().used(), 0u); // everything given back at teardown
    s->release(200);                           // a late release changes nothing
    EXPECT_EQ(f.server.budget().used(), 0u);
}

TEST(Session, AReservationOverTheBoundClosesTheSession) {
    Fixture f;
    auto link = std::make_shared<FakeLink>();
    auto s = f.open(link);
    s->on_written(link.get(), true);
    EXPECT_FALSE(s->reserve(301));
    EXPECT_TRUE(s->closed());
    f.io.poll();
    EXPECT_EQ(f.log.back(), "closed:memory limit");
    EXPECT_EQ(f.server.stats().memory_limited, 1u);
}

TEST(Session, TheServersBudgetBoundsAllSessionsTogether) {
    Settings st = Fixture::small();
    st.memory_budget = 350;
    Fixture f(st);
    auto l1 = std::make_shared<FakeLink>();
    auto l2 = std::make_shared<FakeLink>();
    auto s1 = f.open(l1);
    s1->on_written(l1.get(), true);
    auto s2 = f.open(l2);
    s2->on_written(l2.get(), true);
    EXPECT_TRUE(s1->reserve(200));
    EXPECT_FALSE(s2->reserve(200)); // each fits its own bound, not both the budget
    EXPECT_EQ(f.server.stats().over_budget, 1u);
    EXPECT_FALSE(s1->closed());
    EXPECT_TRUE(s2->closed());
    f.io.poll();
    EXPECT_EQ(f.server.budget().used(), 200u);
}

TEST(Session, MessagesAreNotDeliveredOnceClosing) {
    Fixture f;
    auto link = std::make_shared<FakeLink>();
    auto s = f.open(link);
    s->on_packet(link.get(), PacketType::message, "hello", false);
    s->close("bye");
    s->on_packet(link.get(), PacketType::message, "late", false);
    f.io.poll();
    ASSERT_EQ(f.log.size(), 2u);
    EXPECT_EQ(f.log[0], "hello");
    EXPECT_EQ(f.log[1], "closed:bye");
}

TEST(Session, AWriteStuckPastItsDeadlineIsCutAtOnce) {
    Fixture f;
    auto link = std::make_shared<FakeLink>();
    auto s = f.open(link); // the open packet's write never completes
    const auto t = f.server.tick();
    s->check_deadlines(t + 1, 1); // one tick could be a moment: not yet
    EXPECT_FALSE(s->closed());
    s->check_deadlines(t + 2, 1);
    EXPECT_TRUE(s->closed());
    EXPECT_TRUE(link->aborted);
    EXPECT_EQ(f.server.stats().write_timeouts, 1u);
    f.io.poll();
    EXPECT_EQ(f.log.back(), "closed:write timeout");
}

TEST(Session, InputHeldWithNoMessageCompletingIsClosedAtTheDeadline) {
    Fixture f;
    auto link = std::make_shared<FakeLink>();
    auto s = f.open(link);
    s->on_written(link.get(), true);
    const auto t = f.server.tick();
    ASSERT_TRUE(s->reserve(50)); // an incomplete message
    s->check_deadlines(t + 2, 2);
    EXPECT_FALSE(s->closed());
    s->release(40); // a frame header consumed is no progress by itself
    s->input_progress(); // a message completed
    ASSERT_TRUE(s->reserve(10));
    s->check_deadlines(t + 2, 2);
    EXPECT_FALSE(s->closed());
    s->check_deadlines(t + 3, 2); // the next message trickles on
    EXPECT_TRUE(s->closed());
    EXPECT_EQ(f.server.stats().input_timeouts, 1u);
    f.io.poll();
    EXPECT_EQ(f.log.back(), "closed:input timeout");
    // (release after the teardown changes nothing)
    s->release(20);
    EXPECT_EQ(f.server.budget().used(), 0u);
}
