#include "server/cluster/wire.hpp"

#include <gtest/gtest.h>

using namespace fc::cluster;

namespace {

template <class T> T round_trip(const T& m) {
    auto d = decode(encode(Message(m)));
    EXPECT_TRUE(d) << (d ? "" : to_string(d.error()));
    if (!d)
        return {};
    EXPECT_TRUE(std::holds_alternative<T>(*d));
    return std::get<T>(*d);
}

const std::string kRid = "0123456789abcdef0123456789abcdef";

} // namespace

TEST(ClusterWire, JoinedRoundTripsWithEveryField) {
    JoinedMsg m{kRid, 7, {"p_A", "clientAA", "Ana ✓", "nodeAAAA", 42, 1764460000000, "ab12"}};
    auto back = round_trip(m);
    EXPECT_EQ(back.rid, kRid);
    EXPECT_EQ(back.version, 7u);
    EXPECT_EQ(back.who.peer_id, "p_A");
    EXPECT_EQ(back.who.client_id, "clientAA");
    EXPECT_EQ(back.who.display_name, "Ana ✓");
    EXPECT_EQ(back.who.node, "nodeAAAA");
    EXPECT_EQ(back.who.conn, 42u);
    EXPECT_EQ(back.who.joined_ms, 1764460000000);
    EXPECT_EQ(back.who.token, "ab12");
}

TEST(ClusterWire, LeftCarriesEachReason) {
    for (auto r : {fc::rooms::LeaveReason::left, fc::rooms::LeaveReason::disconnected,
                   fc::rooms::LeaveReason::replaced}) {
        auto back = round_trip(LeftMsg{kRid, 3, "p_B", r});
        EXPECT_EQ(back.reason, r);
        EXPECT_EQ(back.peer_id, "p_B");
    }
}

TEST(ClusterWire, SignalKeepsBinaryAttachmentsAndJsonAsIs) {
    SignalMsg m{9, "p_C", R"(["signal",{"from":"p_D","type":"x","payload":{"_placeholder":true,"num":0}}])",
                {std::string("a\0b,:9", 6), std::string()}};
    auto back = round_trip(m);
    EXPECT_EQ(back.conn, 9u);
    EXPECT_EQ(back.event_json, m.event_json);
    ASSERT_EQ(back.attachments.size(), 2u);
    EXPECT_EQ(back.attachments[0], m.attachments[0]);
    EXPECT_EQ(back.attachments[1], "");
    // The hot path's encoder writes the same bytes.
    EXPECT_EQ(encode_signal(m.conn, m.peer_id, m.event_json, m.attachments), encode(Message(m)));
}

TEST(ClusterWire, QueryAndIntroRoundTrip) {
    auto q = round_trip(QueryMsg{kRid, "nodeBBBB", 5});
    EXPECT_EQ(q.reply_to, "nodeBBBB");
    EXPECT_EQ(q.request, 5u);
    IntroMsg i{kRid, 5, {}};
    i.members.push_back({"p_A", "", "Ana", "", 0, 0, ""});
    i.members.push_back({"p_B", "", "", "", 0, 0, ""});
    auto back = round_trip(i);
    ASSERT_EQ(back.members.size(), 2u);
    EXPECT_EQ(back.members[0].display_name, "Ana");
    EXPECT_EQ(back.members[1].peer_id, "p_B");
}

TEST(ClusterWire, RefusesWhatAnotherNodesBugCouldSend) {
    const std::string good = encode(Message(LeftMsg{kRid, 3, "p_B", fc::rooms::LeaveReason::left}));
    ASSERT_TRUE(decode(good));
    struct Case {
        std::string bytes;
        DecodeError why;
    };
    const std::vector<Case> cases = {
        {"", DecodeError::empty},
        {"X1:a,", DecodeError::unknown_kind},
        {good.substr(0, good.size() - 1), DecodeError::bad_field},         // cut short
        {good + "1:x,", DecodeError::trailing},                            // one field too many
        {"L32:" + kRid + ",1:3,3:p_B,3:bye,", DecodeError::bad_reason},
        {"L32:" + kRid + ",2:03,3:p_B,4:left,", DecodeError::bad_field},   // leading zero
        {"L32:" + kRid + ",2:-1,3:p_B,4:left,", DecodeError::bad_field},   // negative version
        {"L032:" + kRid + ",1:3,3:p_B,4:left,", DecodeError::bad_field},   // padded length
        {"L99999999999999999999:x,", DecodeError::bad_field},              // length overflow
        {"L5:abc,", DecodeError::bad_field},                               // length past the end
        {"L3:abc;1:3,3:p_B,4:left,", DecodeError::bad_field},              // wrong terminator
        {"S1:1,1:p,2:[],2:65,", DecodeError::too_many},                    // attachments bound
        {"I1:r,1:1,9:999999999,", DecodeError::too_many},                  // members bound
        {"S1:1,1:p,2:[],1:2,1:a,", DecodeError::bad_field},                // fewer than announced
    };
    for (const auto& c : cases) {
        auto d = decode(c.bytes);
        ASSERT_FALSE(d) << c.bytes;
        EXPECT_EQ(d.error(), c.why) << c.bytes << ": " << to_string(d.error());
    }
}
