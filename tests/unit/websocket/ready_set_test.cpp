#include "server/websocket/ready_set.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <sys/socket.h>
#include <unistd.h>

using fc::websocket::ReadySet;

namespace {

// One end of a socket pair, read a few bytes at a time by `on_read`.
struct End : ReadySet::Reader {
    int fd = -1;
    int peer = -1;
    std::string got;
    int told = 0;
    std::size_t take = 64; // bytes read per notice
    std::function<void(End&)> after;

    End() {
        int fds[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
        fd = fds[0];
        peer = fds[1];
    }
    ~End() {
        if (fd >= 0) ::close(fd);
        if (peer >= 0) ::close(peer);
    }
    void on_readable() override {
        ++told;
        char buf[4096];
        const ssize_t n = ::read(fd, buf, std::min(take, sizeof buf));
        if (n > 0) got.append(buf, static_cast<std::size_t>(n));
        if (after) after(*this);
    }
    void send(std::string_view s) { ASSERT_EQ(::write(peer, s.data(), s.size()), static_cast<ssize_t>(s.size())); }
};

void turn(boost::asio::io_context& io) {
    io.restart();
    io.poll();
}

} // namespace

TEST(ReadySet, TellsAReaderWhenItsSocketHasBytes) {
    boost::asio::io_context io;
    ReadySet set(io.get_executor());
    auto a = std::make_shared<End>();
    ASSERT_TRUE(set.add(a->fd, a));
    turn(io);
    EXPECT_EQ(a->told, 0);
    a->send("hello");
    turn(io);
    EXPECT_EQ(a->got, "hello");
    EXPECT_EQ(a->told, 1);
    turn(io);
    EXPECT_EQ(a->told, 1) << "nothing new: not told again";
    a->send("again");
    turn(io);
    EXPECT_EQ(a->got, "helloagain");
}

TEST(ReadySet, BytesLeftUnreadAreToldAgain) {
    boost::asio::io_context io;
    ReadySet set(io.get_executor());
    auto a = std::make_shared<End>();
    a->take = 3;
    ASSERT_TRUE(set.add(a->fd, a));
    a->send("0123456789");
    for (int i = 0; i < 10 && a->got.size() < 10; ++i)
        turn(io);
    EXPECT_EQ(a->got, "0123456789");
    EXPECT_EQ(a->told, 4);
}

TEST(ReadySet, MoreSocketsThanOneTurnReadsAreAllRead) {
    boost::asio::io_context io;
    ReadySet set(io.get_executor());
    std::vector<std::shared_ptr<End>> ends;
    for (int i = 0; i < 300; ++i) {
        ends.push_back(std::make_shared<End>());
        ASSERT_TRUE(set.add(ends.back()->fd, ends.back()));
        ends.back()->send(std::to_string(i));
    }
    for (int i = 0; i < 5; ++i)
        turn(io);
    for (int i = 0; i < 300; ++i)
        EXPECT_EQ(ends[static_cast<std::size_t>(i)]->got, std::to_string(i));
}

TEST(ReadySet, HoldsAReaderUntilRemovedEvenFromInsideItsOwnNotice) {
    boost::asio::io_context io;
    ReadySet set(io.get_executor());
    auto a = std::make_shared<End>();
    std::weak_ptr<End> weak = a;
    a->after = [&set](End& e) { set.remove(e.fd); };
    ASSERT_TRUE(set.add(a->fd, a));
    a->send("x");
    auto* raw = a.get();
    a.reset();
    ASSERT_FALSE(weak.expired()) << "the set keeps it";
    // Its notice removes it: it lives to the end of that call, then goes.
    raw->send("y");
    turn(io);
    EXPECT_TRUE(weak.expired());
}

TEST(ReadySet, AReaderRemovedEarlierInATurnIsNotTold) {
    boost::asio::io_context io;
    ReadySet set(io.get_executor());
    auto a = std::make_shared<End>();
    auto b = std::make_shared<End>();
    ASSERT_TRUE(set.add(a->fd, a));
    ASSERT_TRUE(set.add(b->fd, b));
    // Whichever is told first removes the other: one of the two is told.
    a->after = [&](End&) { set.remove(b->fd); };
    b->after = [&](End&) { set.remove(a->fd); };
    a->send("a");
    b->send("b");
    turn(io);
    EXPECT_EQ(a->told + b->told, 1);
    turn(io);
    EXPECT_EQ(a->told + b->told, 1);
}

TEST(ReadySet, AnEndOfStreamIsToldAsReadable) {
    boost::asio::io_context io;
    ReadySet set(io.get_executor());
    auto a = std::make_shared<End>();
    bool ended = false;
    a->after = [&](End& e) {
        char c;
        if (::read(e.fd, &c, 1) == 0) {
            ended = true;
            set.remove(e.fd);
        }
    };
    ASSERT_TRUE(set.add(a->fd, a));
    ::close(a->peer);
    a->peer = -1;
    turn(io);
    EXPECT_TRUE(ended);
}

TEST(ReadySet, RefusesADescriptorThatIsNotOpenAndLetsGoOfReadersWhenDestroyed) {
    boost::asio::io_context io;
    auto a = std::make_shared<End>();
    std::weak_ptr<End> weak = a;
    {
        ReadySet set(io.get_executor());
        EXPECT_FALSE(set.add(987654, a));
        ASSERT_TRUE(set.add(a->fd, a));
        set.remove(a->fd);
        set.remove(a->fd); // twice: nothing
        ASSERT_TRUE(set.add(a->fd, a));
        a.reset();
        EXPECT_FALSE(weak.expired());
    }
    EXPECT_TRUE(weak.expired());
    turn(io); // the aborted wait touches nothing
}
