#include "server/protocol_test/suite_mode.hpp"

#include "server/engineio/server.hpp"
#include "server/socketio/server.hpp"

#include <gtest/gtest.h>

using namespace fc;

TEST(SuiteMode, SetsTheTimingsTheSuitesAssert) {
    app::Config c;
    protocol_test::apply_suite_settings(c);
    EXPECT_EQ(c.engine.ping_interval.count(), 300);
    EXPECT_EQ(c.engine.ping_timeout.count(), 200);
    EXPECT_EQ(c.engine.max_payload, 1000000u);
    EXPECT_EQ(c.socketio.connect_timeout.count(), 1000);
    EXPECT_EQ(c.socketio.max_attachment_bytes, 1000000u);
}

TEST(SuiteMode, ServesABareEngineEndpoint) {
    boost::asio::io_context ioc;
    app::Config c;
    socketio::Server io(c.socketio);
    protocol_test::SuiteMode mode;
    auto engine = mode.wire(io, ioc, c);
    ASSERT_NE(engine, nullptr);
    EXPECT_EQ(mode.name(), "protocol-test");
}
