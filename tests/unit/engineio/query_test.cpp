#include "server/engineio/query.hpp"

#include <gtest/gtest.h>

using namespace fc::engineio;

TEST(Query, ReadsProtocolParameters) {
    auto q = parse_query("EIO=4&transport=polling&t=Nx&sid=abc%2Ddef");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->eio, "4");
    EXPECT_EQ(q->transport, "polling");
    EXPECT_TRUE(q->has_sid);
    EXPECT_EQ(q->sid, "abc-def");
    EXPECT_FALSE(check_query(*q));
}

TEST(Query, ReportsTableErrors) {
    EXPECT_EQ(check_query(*parse_query("EIO=4")), RequestError::transport_unknown);
    EXPECT_EQ(check_query(*parse_query("EIO=4&transport=smoke")), RequestError::transport_unknown);
    EXPECT_EQ(check_query(*parse_query("transport=polling")),
              RequestError::unsupported_protocol_version);
    EXPECT_EQ(check_query(*parse_query("EIO=3&transport=websocket")),
              RequestError::unsupported_protocol_version);
}

TEST(Query, DoesNotReadPastItsView) {
    // The view ends before "&sid=x": that part must not be seen.
    const std::string text = "EIO=4&transport=polling&sid=x";
    auto q = parse_query(std::string_view(text).substr(0, 23));
    ASSERT_TRUE(q);
    EXPECT_FALSE(q->has_sid);
}

TEST(Query, KnowsBothTransports) {
    EXPECT_EQ(transport_of("polling"), TransportKind::polling);
    EXPECT_EQ(transport_of("websocket"), TransportKind::websocket);
    EXPECT_FALSE(transport_of("webtransport"));
}

TEST(Query, ErrorBodiesMatchTheProtocolTable) {
    EXPECT_EQ(error_body(RequestError::session_id_unknown),
              R"({"code":1,"message":"Session ID unknown"})");
    EXPECT_EQ(error_body(RequestError::bad_handshake_method),
              R"({"code":2,"message":"Bad handshake method"})");
}
