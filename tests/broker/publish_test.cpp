// PUBLISH in the broker core (MQTT 3.1.1 and 5.0 sections 3.3-3.7 and 4.3): the acknowledgement
// flows of QoS 0, 1 and 2 in both directions, exactly-once reception, $SYS, reason codes.
#include "broker_fixture.hpp"

namespace harness::broker::test {
namespace {

using codec::puback_reason;
using codec::pubrel_reason;
using strings = std::vector<std::string>;

/// A subscriber "sub" on "t/#" at QoS 2 and a publisher "pub", both at `version`.
struct pub_sub {
    explicit pub_sub(protocol_version version = v5, broker_options o = {}) : b(std::move(o)) {
        sub.connect(version, "sub");
        sub.subscribe("t/#", qos::exactly_once);
        pub.connect(version, "pub");
    }

    test_broker b;
    fake_client sub{b};
    fake_client pub{b};
};

TEST(BrokerPublish, Qos0IsNotAcknowledged_MQTT_4_3_1_1) {
    pub_sub s;
    s.pub.publish("t/a", "zero");
    EXPECT_TRUE(s.pub.received().empty());
    const auto got = s.sub.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].qos, qos::at_most_once);
    EXPECT_EQ(got[0].packet_id, 0);
}

TEST(BrokerPublish, Qos1IsAnsweredWithPuback_MQTT_4_3_2_4) {
    for (const auto version : {v3_1_1, v5}) {
        pub_sub s(version);
        const auto id = s.pub.publish("t/a", "one", qos::at_least_once);
        const auto ack = s.pub.expect<codec::puback>();
        EXPECT_EQ(ack.packet_id, id);
        EXPECT_EQ(ack.reason_code, puback_reason::success);
        EXPECT_EQ(payloads(s.sub.messages()), strings{"one"});
    }
}

TEST(BrokerPublish, Qos2IsAnsweredWithPubrecThenPubcomp_MQTT_4_3_3_8) {
    for (const auto version : {v3_1_1, v5}) {
        pub_sub s(version);
        const auto id = s.pub.publish("t/a", "two", qos::exactly_once);
        EXPECT_EQ(s.pub.expect<codec::pubrec>().packet_id, id);
        s.pub.send(codec::pubrel{id, {}, {}});
        const auto comp = s.pub.expect<codec::pubcomp>();
        EXPECT_EQ(comp.packet_id, id);
        EXPECT_EQ(comp.reason_code, pubrel_reason::success);
        EXPECT_EQ(payloads(s.sub.messages()), strings{"two"});
    }
}

TEST(BrokerPublish, Qos2ResentBeforePubrelIsNotRoutedTwice_MQTT_4_3_3_10) {
    pub_sub s;
    codec::publish p;
    p.topic = "t/a";
    p.qos = qos::exactly_once;
    p.packet_id = 7;
    p.payload = bytes("once");
    s.pub.send(p);
    EXPECT_EQ(s.pub.expect<codec::pubrec>().packet_id, 7);
    p.dup = true;
    s.pub.send(p);
    EXPECT_EQ(s.pub.expect<codec::pubrec>().packet_id, 7);
    s.pub.send(codec::pubrel{7, {}, {}});
    EXPECT_EQ(s.pub.expect<codec::pubcomp>().reason_code, pubrel_reason::success);
    EXPECT_EQ(payloads(s.sub.messages()), strings{"once"});
    // After PUBCOMP the packet id is free: the same id is a new message.
    p.dup = false;
    p.payload = bytes("again");
    s.pub.send(p);
    EXPECT_EQ(payloads(s.sub.messages()), strings{"again"});
}

TEST(BrokerPublish, PubrelForUnknownIdGetsPubcomp0x92_MQTT_4_3_3_11) {
    pub_sub s;
    s.pub.send(codec::pubrel{42, {}, {}});
    const auto comp = s.pub.expect<codec::pubcomp>();
    EXPECT_EQ(comp.packet_id, 42);
    EXPECT_EQ(comp.reason_code, pubrel_reason::packet_identifier_not_found);
    EXPECT_FALSE(s.pub.closed());
}

TEST(BrokerPublish, OutgoingQos1CompletesWithPuback_MQTT_4_3_2_2) {
    pub_sub s;
    s.pub.publish("t/a", "one", qos::at_least_once);
    const auto got = s.sub.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].qos, qos::at_least_once);
    EXPECT_NE(got[0].packet_id, 0);
    EXPECT_FALSE(got[0].dup);
    s.sub.send(codec::puback{got[0].packet_id, {}, {}});
    EXPECT_TRUE(s.sub.received().empty());
}

TEST(BrokerPublish, OutgoingQos2GoesPubrecPubrelPubcomp_MQTT_4_3_3_4) {
    pub_sub s(v5);
    s.pub.publish("t/a", "two", qos::exactly_once);
    const auto got = s.sub.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].qos, qos::exactly_once);
    const auto id = got[0].packet_id;
    s.sub.send(codec::pubrec{id, {}, {}});
    const auto rel = s.sub.expect<codec::pubrel>();
    EXPECT_EQ(rel.packet_id, id);
    EXPECT_EQ(rel.reason_code, pubrel_reason::success);
    s.sub.send(codec::pubcomp{id, {}, {}});
    EXPECT_TRUE(s.sub.received().empty());
}

TEST(BrokerPublish, GrantedQosCapsTheDeliveryQos_MQTT_3_8_4_8) {
    pub_sub s;
    s.sub.subscribe("t/low", qos::at_least_once);
    s.pub.publish("t/low", "capped", qos::exactly_once);
    const auto got = s.sub.messages();
    ASSERT_EQ(got.size(), 1u);  // "t/#" (QoS 2) and "t/low" (QoS 1) overlap: one copy
    EXPECT_EQ(got[0].qos, qos::exactly_once);
    fake_client low(s.b);
    low.connect(v5, "low");
    low.subscribe("t/#", qos::at_least_once);
    s.pub.publish("t/low", "capped", qos::exactly_once);
    const auto capped = low.messages();
    ASSERT_EQ(capped.size(), 1u);
    EXPECT_EQ(capped[0].qos, qos::at_least_once);
}

TEST(BrokerPublish, PublishToSysIsAcknowledgedWith0x87ButNotDelivered) {
    pub_sub s;
    s.sub.subscribe("$SYS/#", qos::at_least_once);
    const auto id = s.pub.publish("$SYS/broker/uptime", "fake", qos::at_least_once);
    const auto ack = s.pub.expect<codec::puback>();
    EXPECT_EQ(ack.packet_id, id);
    EXPECT_EQ(ack.reason_code, puback_reason::not_authorized);
    const auto rec_id = s.pub.publish("$SYS/x", "fake", qos::exactly_once);
    const auto rec = s.pub.expect<codec::pubrec>();
    EXPECT_EQ(rec.packet_id, rec_id);
    EXPECT_EQ(rec.reason_code, puback_reason::not_authorized);
    EXPECT_TRUE(s.sub.messages().empty());
    EXPECT_FALSE(s.pub.closed());
}

TEST(BrokerPublish, PublishToSysIn311IsAcknowledgedButNotDelivered) {
    pub_sub s(v3_1_1);
    s.sub.subscribe("$SYS/#", qos::at_least_once);
    const auto id = s.pub.publish("$SYS/broker/uptime", "fake", qos::at_least_once);
    EXPECT_EQ(s.pub.expect<codec::puback>().packet_id, id);
    EXPECT_TRUE(s.sub.messages().empty());
}

TEST(BrokerPublish, NoMatchingSubscribersGivesPuback0x10) {
    pub_sub s;
    s.pub.publish("elsewhere", "nobody", qos::at_least_once);
    EXPECT_EQ(s.pub.expect<codec::puback>().reason_code, puback_reason::no_matching_subscribers);
    s.pub.publish("elsewhere", "nobody", qos::exactly_once);
    EXPECT_EQ(s.pub.expect<codec::pubrec>().reason_code, puback_reason::no_matching_subscribers);
    s.pub.publish("t/x", "somebody", qos::at_least_once);
    EXPECT_EQ(s.pub.expect<codec::puback>().reason_code, puback_reason::success);
}

TEST(BrokerPublish, MaximumQos1RefusesQos2PublishWithDisconnect0x9B_MQTT_3_2_2_11) {
    broker_options o;
    o.maximum_qos = qos::at_least_once;
    pub_sub s(v5, o);
    s.pub.publish("t/a", "too high", qos::exactly_once);
    const auto d = only<codec::disconnect>(s.pub.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::qos_not_supported);
    EXPECT_TRUE(s.pub.closed());
    EXPECT_TRUE(s.sub.messages().empty());
}

TEST(BrokerPublish, RetainWithoutRetainAvailableIsDisconnect0x9A_MQTT_3_2_2_14) {
    broker_options o;
    o.retain_available = false;
    pub_sub s(v5, o);
    s.pub.publish("t/a", "kept?", qos::at_most_once, true);
    const auto d = only<codec::disconnect>(s.pub.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::retain_not_supported);
    EXPECT_EQ(s.b.core.retained_count(), 0u);
}

TEST(BrokerPublish, PropertiesAreForwardedUnchanged_MQTT_3_3_2_17) {
    pub_sub s;
    property_list props;
    props.add(property_id::content_type, std::string("text/plain"));
    props.add(property_id::response_topic, std::string("r/1"));
    props.add(property_id::correlation_data, bytes("c"));
    props.add_user_property("k", "v");
    s.pub.publish("t/p", "x", qos::at_most_once, false, props);
    const auto got = s.sub.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(*got[0].properties.string(property_id::content_type), "text/plain");
    EXPECT_EQ(*got[0].properties.string(property_id::response_topic), "r/1");
    EXPECT_EQ(*got[0].properties.binary_data(property_id::correlation_data), bytes("c"));
    EXPECT_EQ(got[0].properties.user_properties(), (std::vector<codec::string_pair>{{"k", "v"}}));
}

TEST(BrokerPublish, StatsCountMessages) {
    pub_sub s;
    s.pub.publish("t/a", "1");
    s.pub.publish("t/a", "2", qos::at_least_once);
    s.sub.messages();
    EXPECT_EQ(s.b.core.stats().messages_received, 2u);
    EXPECT_EQ(s.b.core.stats().messages_sent, 2u);
    EXPECT_EQ(s.b.core.stats().clients_connected, 2u);
}

}  // namespace
}  // namespace harness::broker::test
