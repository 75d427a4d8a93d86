// What CONNACK announces (MQTT 5.0 section 3.2.2.3) and keep alive (3.1.2.10): the broker's
// options become CONNACK properties, and the keep alive is enforced at one and a half times.
#include "broker_fixture.hpp"

namespace harness::broker::test {
namespace {

TEST(BrokerConnack, DefaultsAnnounceOnlyTheTopicAliasMaximum_MQTT_3_2_2_3) {
    test_broker b;
    fake_client c(b);
    const auto ack = c.connect(v5, "c");
    // Absent properties mean: QoS 2, retain, wildcards, shared subscriptions and subscription
    // identifiers available, Receive Maximum 65535, no packet size limit.
    for (const auto id :
         {property_id::maximum_qos, property_id::retain_available,
          property_id::wildcard_subscription_available, property_id::shared_subscription_available,
          property_id::subscription_identifier_available, property_id::receive_maximum,
          property_id::maximum_packet_size, property_id::server_keep_alive}) {
        EXPECT_FALSE(ack.properties.contains(id)) << static_cast<int>(id);
    }
    EXPECT_EQ(ack.properties.integer(property_id::topic_alias_maximum), 10u);
}

TEST(BrokerConnack, CapabilityPropertiesReflectTheOptions_MQTT_3_2_2_3) {
    broker_options o;
    o.maximum_qos = qos::at_least_once;
    o.retain_available = false;
    o.wildcard_subscriptions = false;
    o.shared_subscriptions = false;
    o.subscription_identifiers = false;
    o.receive_maximum = 7;
    o.topic_alias_maximum = 3;
    o.maximum_packet_size = 4096;
    test_broker b(o);
    fake_client c(b);
    const auto ack = c.connect(v5, "c");
    const auto& p = ack.properties;
    EXPECT_EQ(p.integer(property_id::maximum_qos), 1u);
    EXPECT_EQ(p.integer(property_id::retain_available), 0u);
    EXPECT_EQ(p.integer(property_id::wildcard_subscription_available), 0u);
    EXPECT_EQ(p.integer(property_id::shared_subscription_available), 0u);
    EXPECT_EQ(p.integer(property_id::subscription_identifier_available), 0u);
    EXPECT_EQ(p.integer(property_id::receive_maximum), 7u);
    EXPECT_EQ(p.integer(property_id::topic_alias_maximum), 3u);
    EXPECT_EQ(p.integer(property_id::maximum_packet_size), 4096u);
}

TEST(BrokerConnack, TopicAliasMaximum0IsNotAnnounced_MQTT_3_2_2_17) {
    broker_options o;
    o.topic_alias_maximum = 0;
    test_broker b(o);
    fake_client c(b);
    EXPECT_FALSE(c.connect(v5, "c").properties.contains(property_id::topic_alias_maximum));
}

TEST(BrokerConnack, SessionExpiryAboveTheMaximumIsAnnouncedAsGranted_MQTT_3_2_2_3) {
    broker_options o;
    o.max_session_expiry = 60;
    test_broker b(o);
    fake_client c(b);
    const auto ack = c.connect(v5, "c", false, props(property_id::session_expiry_interval, 3600u));
    EXPECT_EQ(ack.properties.integer(property_id::session_expiry_interval), 60u);
    c.disconnect();
    b.advance(61s);
    EXPECT_EQ(b.core.session_count(), 0u);
}

TEST(BrokerConnack, V311ConnackCarriesNoProperties) {
    broker_options o;
    o.maximum_qos = qos::at_least_once;
    test_broker b(o);
    fake_client c(b);
    const auto ack = c.connect(v3_1_1, "c");
    EXPECT_EQ(ack.reason_code, codec::connack_reason::success);
    EXPECT_TRUE(ack.properties.empty());
}

TEST(BrokerKeepAlive, SilentClientClosedAfterOneAndAHalfKeepAlive_MQTT_3_1_2_22) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "k", true, {}, std::nullopt, 10);
    b.advance(14s);
    EXPECT_FALSE(c.closed());
    b.advance(2s);
    EXPECT_TRUE(c.closed());
    const auto d = only<codec::disconnect>(c.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::keep_alive_timeout);
}

TEST(BrokerKeepAlive, AnyPacketRestartsTheKeepAlive_MQTT_3_1_2_22) {
    test_broker b;
    fake_client c(b);
    c.connect(v3_1_1, "k", true, {}, std::nullopt, 10);
    for (int i = 0; i < 5; ++i) {
        b.advance(12s);
        c.send(codec::pingreq{});
        EXPECT_EQ(only<codec::pingresp>(c.received()).size(), 1u);
    }
    EXPECT_FALSE(c.closed());
    b.advance(16s);
    EXPECT_TRUE(c.closed());
    EXPECT_TRUE(c.received().empty());  // no DISCONNECT before 5.0
}

TEST(BrokerKeepAlive, KeepAliveTimeoutPublishesTheWill_MQTT_3_1_2_8) {
    test_broker b;
    fake_client watcher(b);
    watcher.connect(v5, "watcher");
    watcher.subscribe("wills/#");
    fake_client c(b);
    c.connect(v5, "k", true, {}, will("wills/k", "lost"), 5);
    b.advance(8s);
    EXPECT_TRUE(c.closed());
    c.received();  // the transport closes after the DISCONNECT is written
    EXPECT_EQ(payloads(watcher.messages()), std::vector<std::string>{"lost"});
}

TEST(BrokerKeepAlive, KeepAlive0MeansNoTimeout_MQTT_3_1_2_10) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "k", true, {}, std::nullopt, 0);
    b.advance(3600s);
    EXPECT_FALSE(c.closed());
}

TEST(BrokerKeepAlive, ServerKeepAliveReplacesALongerOrZeroKeepAlive_MQTT_3_2_2_21) {
    broker_options o;
    o.max_keepalive = 20;
    for (const std::uint16_t asked : {0, 60}) {
        SCOPED_TRACE(asked);
        test_broker b(o);
        fake_client c(b);
        const auto ack = c.connect(v5, "k", true, {}, std::nullopt, asked);
        EXPECT_EQ(ack.properties.integer(property_id::server_keep_alive), 20u);
        b.advance(29s);
        EXPECT_FALSE(c.closed());
        b.advance(2s);  // [MQTT-3.1.2-21] the client must use the server's value
        EXPECT_TRUE(c.closed());
    }
    // A shorter keep alive stays and is not answered.
    test_broker b(o);
    fake_client c(b);
    const auto ack = c.connect(v5, "k", true, {}, std::nullopt, 10);
    EXPECT_FALSE(ack.properties.contains(property_id::server_keep_alive));
}

TEST(BrokerKeepAlive, NoConnectInTimeClosesTheConnection) {
    test_broker b;
    fake_client c(b);
    b.advance(9s);
    EXPECT_FALSE(c.closed());
    b.advance(2s);
    EXPECT_TRUE(c.closed());
    EXPECT_TRUE(c.received().empty());
}

}  // namespace
}  // namespace harness::broker::test
