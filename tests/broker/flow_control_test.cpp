// Flow control towards each client in the broker core (MQTT 5.0 sections 3.3.4, 4.9, 3.1.2.11):
// the client's Receive Maximum, bounded queues and output for a slow reader, and the client's
// Maximum Packet Size.
#include "broker_fixture.hpp"

namespace harness::broker::test {
namespace {

using strings = std::vector<std::string>;

TEST(BrokerFlowControl, ClientReceiveMaximumLimitsUnacknowledgedPublish_MQTT_3_3_4_9) {
    test_broker b;
    fake_client sub(b);
    sub.connect(v5, "sub", true, props(property_id::receive_maximum, 2u));
    sub.subscribe("t", qos::exactly_once);
    fake_client pub(b);
    pub.connect(v5, "pub");
    pub.publish("t", "1", qos::at_least_once);
    pub.publish("t", "2", qos::exactly_once);
    pub.publish("t", "3", qos::at_least_once);
    const auto first = sub.messages();
    EXPECT_EQ(payloads(first), (strings{"1", "2"}));
    EXPECT_EQ(b.core.queued_messages("sub"), 1u);
    ASSERT_EQ(first.size(), 2u);
    // A QoS 2 message holds its slot until PUBCOMP ([MQTT-4.9.0-2]), not PUBREC.
    sub.send(codec::pubrec{first[1].packet_id, {}, {}});
    EXPECT_TRUE(sub.messages().empty());
    sub.send(codec::puback{first[0].packet_id, {}, {}});
    EXPECT_EQ(payloads(sub.messages()), strings{"3"});
    EXPECT_EQ(b.core.queued_messages("sub"), 0u);
}

TEST(BrokerFlowControl, Qos0IsNotHeldByTheReceiveMaximumWhenNothingWaits_MQTT_4_9_0_3) {
    test_broker b;
    fake_client sub(b);
    sub.connect(v5, "sub", true, props(property_id::receive_maximum, 1u));
    sub.subscribe("t", qos::at_least_once);
    fake_client pub(b);
    pub.connect(v5, "pub");
    pub.publish("t", "1", qos::at_least_once);
    EXPECT_EQ(sub.messages().size(), 1u);
    pub.publish("other", "x");
    sub.subscribe("other");
    pub.publish("other", "0");
    EXPECT_EQ(payloads(sub.messages()), strings{"0"});
}

TEST(BrokerFlowControl, MaxInflightMessagesCapsTheWindow) {
    broker_options o;
    o.max_inflight_messages = 1;
    test_broker b(o);
    fake_client sub(b);
    sub.connect(v3_1_1, "sub");
    sub.subscribe("t", qos::at_least_once);
    fake_client pub(b);
    pub.connect(v3_1_1, "pub");
    pub.publish("t", "1", qos::at_least_once);
    pub.publish("t", "2", qos::at_least_once);
    const auto first = sub.messages();
    ASSERT_EQ(first.size(), 1u);
    sub.send(codec::puback{first[0].packet_id, {}, {}});
    EXPECT_EQ(payloads(sub.messages()), strings{"2"});
}

TEST(BrokerFlowControl, SlowConsumerQueueIsBoundedAndDropsAreCounted) {
    broker_options o;
    o.max_queued_messages = 100;
    o.output_high_water = 16 * 1024;
    test_broker b(o);
    fake_client sub(b);
    sub.connect(v5, "slow");
    sub.subscribe("t");
    fake_client pub(b);
    pub.connect(v5, "pub");
    const std::string payload(100, 'x');
    const auto sent_before = b.core.stats().messages_sent;
    for (int i = 0; i < 10'000; ++i)
        pub.publish("t", payload);
    EXPECT_FALSE(pub.closed());
    EXPECT_EQ(b.core.queued_messages("slow"), 100u);
    const auto sent = b.core.stats().messages_sent - sent_before;
    EXPECT_EQ(b.core.stats().messages_dropped + sent + 100, 10'000u);

    // The reader never wrote anything: the output stays near the high-water mark.
    std::vector<std::uint8_t> out;
    ASSERT_TRUE(b.core.take_output(sub.id(), out));
    const std::size_t one_packet = 2 + 2 + 1 + 1 + payload.size();  // header, topic, props
    EXPECT_LE(out.size(), o.output_high_water + one_packet);
    EXPECT_GE(out.size(), o.output_high_water);
    // Once the bytes are written, the queue drains.
    b.core.written(sub.id(), b.now);
    const auto rest = sub.messages();
    EXPECT_EQ(rest.size(), 100u);
    EXPECT_EQ(b.core.queued_messages("slow"), 0u);
}

TEST(BrokerFlowControl, MaxQueuedBytesBoundsAnOfflineSessionsQueue) {
    broker_options o;
    o.max_queued_bytes = 10;
    test_broker b(o);
    {
        fake_client sub(b);
        sub.connect(v5, "sub", false, props(property_id::session_expiry_interval, 60u));
        sub.subscribe("t", qos::at_least_once);
        sub.drop();
    }
    fake_client pub(b);
    pub.connect(v5, "pub");
    const auto dropped = b.core.stats().messages_dropped;
    for (const auto* payload : {"1234", "5678", "9abc"})
        pub.publish("t", payload, qos::at_least_once);
    EXPECT_EQ(b.core.queued_messages("sub"), 2u);
    EXPECT_EQ(b.core.stats().messages_dropped, dropped + 1);
    fake_client sub(b);
    sub.connect(v5, "sub", false, props(property_id::session_expiry_interval, 60u));
    EXPECT_EQ(payloads(sub.messages()), (strings{"1234", "5678"}));
}

TEST(BrokerFlowControl, StalledReaderKeepsOutputBoundedWhileTaken) {
    broker_options o;
    o.max_queued_messages = 10;
    o.output_high_water = 4096;
    test_broker b(o);
    fake_client sub(b);
    sub.connect(v5, "slow");
    sub.subscribe("t");
    sub.reports_writes = false;  // takes the bytes, never reports them written
    fake_client pub(b);
    pub.connect(v5, "pub");
    codec::publish one;
    one.topic = "t";
    one.payload = bytes(std::string(50, 'y'));
    const auto size = codec::encode(one, v5).size();
    std::size_t received = 0;
    for (int i = 0; i < 1'000; ++i) {
        pub.publish("t", std::string(50, 'y'));
        received += sub.messages().size();
    }
    EXPECT_LE(received * size, o.output_high_water + size);
    EXPECT_EQ(b.core.queued_messages("slow"), 10u);
}

TEST(BrokerFlowControl, MessageLargerThanClientMaximumPacketSizeIsDropped_MQTT_3_1_2_24) {
    test_broker b;
    fake_client sub(b);
    sub.connect(v5, "sub", true,
                props(property_id::maximum_packet_size, 100u, property_id::receive_maximum, 1u));
    sub.subscribe("t", qos::at_least_once);
    fake_client pub(b);
    pub.connect(v5, "pub");
    const auto dropped = b.core.stats().messages_dropped;
    pub.publish("t", std::string(200, 'B'), qos::at_least_once);
    pub.publish("t", "small", qos::at_least_once);
    pub.publish("t", std::string(200, 'B'));
    pub.publish("t", "small too");
    const auto got = sub.messages();
    EXPECT_EQ(payloads(got), (strings{"small", "small too"}));
    EXPECT_EQ(b.core.stats().messages_dropped, dropped + 2);
    for (const auto& m : got)
        EXPECT_LE(codec::encode(m, v5).size(), 100u);
}

TEST(BrokerFlowControl, PacketAboveTheBrokersMaximumPacketSizeIsDisconnect0x95_MQTT_3_2_2_15) {
    broker_options o;
    o.maximum_packet_size = 256;
    test_broker b(o);
    fake_client c(b);
    c.connect(v5, "c");
    c.publish("t", std::string(300, 'x'));
    const auto d = only<codec::disconnect>(c.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::packet_too_large);
    EXPECT_TRUE(c.closed());
}

TEST(BrokerFlowControl, IncomingQos2AboveOurReceiveMaximumIsDisconnect0x93_MQTT_3_3_4_8) {
    broker_options o;
    o.receive_maximum = 2;
    test_broker b(o);
    fake_client c(b);
    c.connect(v5, "c");
    c.publish("t", "1", qos::exactly_once);
    c.publish("t", "2", qos::exactly_once);
    EXPECT_FALSE(c.closed());
    c.publish("t", "3", qos::exactly_once);
    const auto d = only<codec::disconnect>(c.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::receive_maximum_exceeded);
}

}  // namespace
}  // namespace harness::broker::test
