// The broker core's API around the protocol: disconnecting a client from the broker side,
// observers, the ready list, timers and counters.
#include "broker_fixture.hpp"

#include <algorithm>

namespace harness::broker::test {
namespace {

TEST(BrokerApi, DisconnectClientSendsDisconnectAndPublishesTheWill_MQTT_3_1_2_8) {
    test_broker b;
    fake_client watcher(b);
    watcher.connect(v5, "watcher");
    watcher.subscribe("wills/#");
    fake_client c(b);
    c.connect(v5, "c", true, {}, will("wills/c", "kicked"));
    EXPECT_TRUE(b.core.disconnect_client("c", disconnect_reason::administrative_action, b.now));
    EXPECT_TRUE(c.closed());
    const auto d = only<codec::disconnect>(c.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::administrative_action);
    EXPECT_EQ(payloads(watcher.messages()), std::vector<std::string>{"kicked"});
    EXPECT_FALSE(b.core.disconnect_client("c", disconnect_reason::administrative_action, b.now));
    EXPECT_FALSE(
        b.core.disconnect_client("nobody", disconnect_reason::administrative_action, b.now));
    EXPECT_EQ(b.core.stats().clients_connected, 1u);
}

TEST(BrokerApi, ObserverSeesEveryPacketBothWays) {
    test_broker b;
    std::vector<std::pair<direction, codec::packet_type>> seen;
    b.core.observe([&](connection_id, direction d, const codec::packet& p, time_point) {
        seen.emplace_back(d, codec::type_of(p));
    });
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe("t");
    c.publish("t", "x");
    c.received();
    using codec::packet_type;
    const std::vector<std::pair<direction, packet_type>> expected{
        {direction::in, packet_type::connect},   {direction::out, packet_type::connack},
        {direction::in, packet_type::subscribe}, {direction::out, packet_type::suback},
        {direction::in, packet_type::publish},   {direction::out, packet_type::publish},
    };
    EXPECT_EQ(seen, expected);
}

TEST(BrokerApi, TakeReadyListsConnectionsWithOutputOnce) {
    test_broker b;
    fake_client c1(b);
    fake_client c2(b);
    EXPECT_TRUE(b.core.take_ready().empty());
    codec::connect p;
    p.client_id = "one";
    c1.send(p);
    p.client_id = "two";
    c2.send(p);
    c2.send(codec::pingreq{});
    auto ready = b.core.take_ready();
    std::sort(ready.begin(), ready.end());
    EXPECT_EQ(ready, (std::vector<connection_id>{c1.id(), c2.id()}));
    EXPECT_TRUE(b.core.take_ready().empty());
    EXPECT_EQ(only<codec::pingresp>(c2.received()).size(), 1u);
}

TEST(BrokerApi, NextDeadlineOnlyWhileSomethingCanTimeOut) {
    test_broker b;
    EXPECT_FALSE(b.core.next_deadline());
    {
        fake_client c(b);
        c.connect(v5, "c", false, props(property_id::session_expiry_interval, 10u));
        ASSERT_TRUE(b.core.next_deadline());
        EXPECT_LE(*b.core.next_deadline(), b.now + 1s);
        c.drop();
    }
    EXPECT_TRUE(b.core.next_deadline());  // the offline session expires
    b.advance(11s);
    EXPECT_EQ(b.core.session_count(), 0u);
    EXPECT_FALSE(b.core.next_deadline());
}

TEST(BrokerApi, StatsCountConnectionsAndBytes) {
    test_broker b;
    fake_client c(b);
    c.connect(v3_1_1, "c");
    c.send(codec::pingreq{});
    c.received();
    const auto& s = b.core.stats();
    EXPECT_EQ(s.connections_opened, 1u);
    EXPECT_EQ(s.clients_connected, 1u);
    EXPECT_EQ(s.bytes_sent, 4u + 2);  // CONNACK, PINGRESP
    EXPECT_GT(s.bytes_received, 2u);
    c.drop();
    EXPECT_EQ(s.clients_connected, 0u);
    EXPECT_EQ(s.protocol_errors, 0u);
}

}  // namespace
}  // namespace harness::broker::test
