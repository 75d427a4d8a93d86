// Delivery to persistent sessions in the broker core (MQTT 3.1.1 and 5.0 sections 4.4, 4.6,
// 3.3.2.3): redelivery on reconnect, messages queued while offline, order, message expiry, and
// incoming topic aliases.
#include "broker_fixture.hpp"

#include <memory>

namespace harness::broker::test {
namespace {

using strings = std::vector<std::string>;

const property_list keep = props(property_id::session_expiry_interval, 3600u);

/// "pub" publishes; "sub" holds a persistent session subscribed to "t/#" at QoS 2.
struct persistent {
    explicit persistent(protocol_version v = v5) : version(v) {
        sub->connect(version, "sub", false, keep);
        sub->subscribe("t/#", qos::exactly_once);
        pub.connect(version, "pub");
    }
    /// The subscriber's connection ends (unless already gone); a new one resumes the session.
    codec::connack reconnect(bool drop = true) {
        if (drop)
            sub->drop();
        sub = std::make_unique<fake_client>(b);
        return sub->connect(version, "sub", false, keep);
    }
    void go_offline() { sub->drop(); }

    protocol_version version;
    test_broker b;
    fake_client pub{b};
    std::unique_ptr<fake_client> sub = std::make_unique<fake_client>(b);
};

TEST(BrokerDelivery, UnacknowledgedPublishAndPubrelAreResentOnReconnect_MQTT_4_4_0_1) {
    for (const auto version : {v3_1_1, v5}) {
        SCOPED_TRACE(static_cast<int>(version));
        persistent s(version);
        s.pub.publish("t/1", "a", qos::at_least_once);
        s.pub.publish("t/2", "b", qos::exactly_once);
        s.pub.publish("t/3", "c", qos::exactly_once);
        const auto first = s.sub->messages();
        ASSERT_EQ(first.size(), 3u);
        s.sub->send(codec::pubrec{first[2].packet_id, {}, {}});
        EXPECT_EQ(s.sub->expect<codec::pubrel>().packet_id, first[2].packet_id);

        EXPECT_TRUE(s.reconnect().session_present);
        const auto again = s.sub->received();
        ASSERT_EQ(again.size(), 3u);
        const auto a = std::get_if<codec::publish>(&again[0]);
        const auto b2 = std::get_if<codec::publish>(&again[1]);
        const auto rel = std::get_if<codec::pubrel>(&again[2]);
        ASSERT_TRUE(a && b2 && rel);
        EXPECT_TRUE(a->dup);  // [MQTT-3.3.1-1]
        EXPECT_EQ(a->packet_id, first[0].packet_id);
        EXPECT_EQ(text(a->payload), "a");
        EXPECT_TRUE(b2->dup);
        EXPECT_EQ(b2->packet_id, first[1].packet_id);
        EXPECT_EQ(rel->packet_id, first[2].packet_id);

        s.sub->send(codec::puback{a->packet_id, {}, {}});
        s.sub->send(codec::pubrec{b2->packet_id, {}, {}});
        s.sub->send(codec::pubcomp{rel->packet_id, {}, {}});
        EXPECT_EQ(s.sub->expect<codec::pubrel>().packet_id, b2->packet_id);
        s.sub->send(codec::pubcomp{b2->packet_id, {}, {}});
        EXPECT_TRUE(s.reconnect().session_present);
        EXPECT_TRUE(s.sub->received().empty());  // all complete: nothing more
    }
}

TEST(BrokerDelivery, MessagesQueuedWhileOfflineAreDeliveredOnReconnect_MQTT_3_1_2_4) {
    for (const auto version : {v3_1_1, v5}) {
        SCOPED_TRACE(static_cast<int>(version));
        persistent s(version);
        s.go_offline();
        const auto dropped = s.b.core.stats().messages_dropped;
        s.pub.publish("t/a", "1", qos::at_least_once);
        s.pub.publish("t/a", "zero");  // QoS 0 is not queued for an offline session
        s.pub.publish("t/b", "2", qos::exactly_once);
        s.pub.publish("t/a", "3", qos::at_least_once);
        EXPECT_EQ(s.b.core.queued_messages("sub"), 3u);
        EXPECT_EQ(s.b.core.stats().messages_dropped, dropped + 1);
        EXPECT_TRUE(s.reconnect(false).session_present);
        const auto got = s.sub->messages();
        EXPECT_EQ(payloads(got), (strings{"1", "2", "3"}));
        for (const auto& m : got)
            EXPECT_FALSE(m.dup);  // never sent before
        EXPECT_EQ(s.b.core.queued_messages("sub"), 0u);
    }
}

TEST(BrokerDelivery, Qos0QueuedOfflineWhenConfigured) {
    broker_options o;
    o.queue_qos0_offline = true;
    test_broker b2(o);
    fake_client s(b2);
    s.connect(v5, "sub", false, keep);
    s.subscribe("t/#");
    s.drop();
    fake_client p(b2);
    p.connect(v5, "pub");
    p.publish("t/a", "zero");
    EXPECT_EQ(b2.core.queued_messages("sub"), 1u);
    fake_client again(b2);
    again.connect(v5, "sub", false, keep);
    EXPECT_EQ(payloads(again.messages()), strings{"zero"});
}

TEST(BrokerDelivery, OrderIsKeptPerTopicThroughTheWindow_MQTT_4_6_0_5) {
    persistent s;
    s.sub->disconnect();
    s.sub = std::make_unique<fake_client>(s.b);
    s.sub->connect(
        v5, "sub", false,
        props(property_id::session_expiry_interval, 3600u, property_id::receive_maximum, 3u));
    strings sent;
    for (int i = 0; i < 30; ++i) {
        sent.push_back(std::to_string(i));
        s.pub.publish("t/ordered", sent.back(), static_cast<qos>(i % 3));
    }
    strings got;
    for (int round = 0; round < 100 && got.size() < sent.size(); ++round) {
        for (const auto& m : s.sub->messages()) {
            got.push_back(text(m.payload));
            if (m.qos == qos::at_least_once)
                s.sub->send(codec::puback{m.packet_id, {}, {}});
            if (m.qos == qos::exactly_once) {
                s.sub->send(codec::pubrec{m.packet_id, {}, {}});
                s.sub->send(codec::pubcomp{m.packet_id, {}, {}});
            }
        }
    }
    EXPECT_EQ(got, sent);
}

TEST(BrokerDelivery, MessageExpiryIsForwardedAsTheRemainingInterval_MQTT_3_3_2_6) {
    persistent s;
    const property_list sixty = props(property_id::message_expiry_interval, 60u);
    s.pub.publish("t/live", "now", qos::at_least_once, false, sixty);
    const auto live = s.sub->messages();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_EQ(live[0].properties.integer(property_id::message_expiry_interval), 60u);
    s.sub->send(codec::puback{live[0].packet_id, {}, {}});

    s.go_offline();
    s.pub.publish("t/later", "later", qos::at_least_once, false, sixty);
    s.b.advance(10s);
    s.reconnect(false);
    const auto later = s.sub->messages();
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later[0].properties.integer(property_id::message_expiry_interval), 50u);
}

TEST(BrokerDelivery, ExpiredQueuedMessageIsNotDelivered_MQTT_3_3_2_5) {
    persistent s;
    s.go_offline();
    s.pub.publish("t/short", "short", qos::at_least_once, false,
                  props(property_id::message_expiry_interval, 5u));
    s.pub.publish("t/long", "long", qos::at_least_once, false,
                  props(property_id::message_expiry_interval, 500u));
    s.pub.publish("t/none", "none", qos::at_least_once);
    const auto dropped = s.b.core.stats().messages_dropped;
    s.b.advance(10s);
    s.reconnect(false);
    EXPECT_EQ(payloads(s.sub->messages()), (strings{"long", "none"}));
    EXPECT_EQ(s.b.core.stats().messages_dropped, dropped + 1);
}

TEST(BrokerDelivery, ExpiredInflightMessageIsStillRedelivered_MQTT_4_3_3_7) {
    // Onward delivery started when the PUBLISH was sent: expiry no longer applies to it
    // ([MQTT-3.3.2-5] deletes only copies not yet sent).
    persistent s;
    s.pub.publish("t/1", "one", qos::at_least_once, false,
                  props(property_id::message_expiry_interval, 5u));
    s.pub.publish("t/2", "two", qos::exactly_once, false,
                  props(property_id::message_expiry_interval, 5u));
    const auto first = s.sub->messages();
    ASSERT_EQ(first.size(), 2u);  // sent, not acknowledged
    s.go_offline();
    s.b.advance(10s);
    s.reconnect(false);
    const auto again = s.sub->messages();
    ASSERT_EQ(again.size(), 2u);
    for (std::size_t k = 0; k < 2; ++k) {
        EXPECT_TRUE(again[k].dup);
        EXPECT_EQ(again[k].packet_id, first[k].packet_id);
        EXPECT_EQ(again[k].properties.integer(property_id::message_expiry_interval), 0u);
    }
}

TEST(BrokerDelivery, IncomingQos2StateSurvivesReconnect_MQTT_4_3_3_10) {
    test_broker b;
    fake_client sub(b);
    sub.connect(v5, "sub");
    sub.subscribe("t");
    auto pub = std::make_unique<fake_client>(b);
    pub->connect(v5, "pub", false, keep);
    codec::publish p;
    p.topic = "t";
    p.qos = qos::exactly_once;
    p.packet_id = 5;
    p.payload = bytes("once");
    pub->send(p);
    EXPECT_EQ(pub->expect<codec::pubrec>().packet_id, 5);
    pub->drop();  // the PUBREC was lost with the connection
    pub = std::make_unique<fake_client>(b);
    EXPECT_TRUE(pub->connect(v5, "pub", false, keep).session_present);
    p.dup = true;
    pub->send(p);
    EXPECT_EQ(pub->expect<codec::pubrec>().packet_id, 5);
    pub->send(codec::pubrel{5, {}, {}});
    EXPECT_EQ(pub->expect<codec::pubcomp>().reason_code, codec::pubrel_reason::success);
    EXPECT_EQ(payloads(sub.messages()), strings{"once"});
}

TEST(BrokerDelivery, TakeOverRedeliversUnacknowledgedMessages_MQTT_4_4_0_1) {
    persistent s;
    s.pub.publish("t/1", "a", qos::at_least_once);
    const auto first = s.sub->messages();
    ASSERT_EQ(first.size(), 1u);
    auto old = std::move(s.sub);
    EXPECT_TRUE(s.reconnect(false).session_present);  // while the old one is still connected
    EXPECT_TRUE(old->closed());
    const auto again = s.sub->messages();
    ASSERT_EQ(again.size(), 1u);
    EXPECT_TRUE(again[0].dup);
    EXPECT_EQ(again[0].packet_id, first[0].packet_id);
}

TEST(BrokerDelivery, PubrecWithAnErrorEndsTheFlowAndFreesTheWindow_MQTT_4_3_3_4) {
    test_broker b;
    fake_client sub(b);
    sub.connect(v5, "sub", true, props(property_id::receive_maximum, 1u));
    sub.subscribe("t", qos::exactly_once);
    fake_client pub(b);
    pub.connect(v5, "pub");
    pub.publish("t", "refused", qos::exactly_once);
    pub.publish("t", "next", qos::exactly_once);
    const auto first = sub.messages();
    ASSERT_EQ(first.size(), 1u);
    sub.send(codec::pubrec{first[0].packet_id, codec::puback_reason::quota_exceeded, {}});
    const auto got = sub.received();
    EXPECT_TRUE(only<codec::pubrel>(got).empty());  // no PUBREL after an error
    EXPECT_EQ(payloads(only<codec::publish>(got)), strings{"next"});
}

TEST(BrokerDelivery, AcknowledgementsForUnknownIdsAreHarmless) {
    persistent s;
    s.sub->send(codec::puback{77, {}, {}});
    s.sub->send(codec::pubcomp{78, {}, {}});
    s.sub->send(codec::pubrec{79, {}, {}});
    EXPECT_EQ(s.sub->expect<codec::pubrel>().reason_code,
              codec::pubrel_reason::packet_identifier_not_found);
    EXPECT_FALSE(s.sub->closed());
    s.pub.publish("t/x", "fine", qos::at_least_once);
    EXPECT_EQ(payloads(s.sub->messages()), strings{"fine"});
}

TEST(BrokerDelivery, IncomingTopicAliasSetThenUsed_MQTT_3_3_2_12) {
    // 10 is the Topic Alias Maximum the broker announces by default: accepted.
    persistent s;
    s.pub.publish("t/aliased", "set", qos::at_most_once, false,
                  props(property_id::topic_alias, 10u));
    s.pub.publish("", "use", qos::at_most_once, false, props(property_id::topic_alias, 10u));
    // Changed to another topic.
    s.pub.publish("t/other", "reset", qos::at_most_once, false,
                  props(property_id::topic_alias, 10u));
    s.pub.publish("", "use again", qos::at_most_once, false, props(property_id::topic_alias, 10u));
    const auto got = s.sub->messages();
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[0].topic, "t/aliased");
    EXPECT_EQ(got[1].topic, "t/aliased");
    EXPECT_EQ(got[2].topic, "t/other");
    EXPECT_EQ(got[3].topic, "t/other");
    for (const auto& m : got)
        EXPECT_FALSE(m.properties.contains(property_id::topic_alias));  // the sender's only
    EXPECT_FALSE(s.pub.closed());
}

TEST(BrokerDelivery, TopicAlias0OrAboveMaximumIsDisconnect0x94_MQTT_3_3_2_8) {
    for (const std::uint32_t alias : {0u, 11u, 1000u}) {
        SCOPED_TRACE(alias);
        test_broker b2;
        fake_client p(b2);
        p.connect(v5, "pub");
        p.publish("t/a", "x", qos::at_most_once, false, props(property_id::topic_alias, alias));
        const auto d = only<codec::disconnect>(p.received());
        ASSERT_EQ(d.size(), 1u);
        EXPECT_EQ(d[0].reason_code, disconnect_reason::topic_alias_invalid);
        EXPECT_TRUE(p.closed());
    }
}

TEST(BrokerDelivery, UnknownTopicAliasIsProtocolError0x82) {
    persistent s;
    s.pub.publish("", "x", qos::at_least_once, false, props(property_id::topic_alias, 2u));
    const auto d = only<codec::disconnect>(s.pub.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::protocol_error);
    EXPECT_TRUE(s.sub->messages().empty());
}

TEST(BrokerDelivery, TopicAliasesDoNotOutliveTheConnection_MQTT_3_3_2_7) {
    persistent s;
    s.pub.publish("t/a", "set", qos::at_most_once, false, props(property_id::topic_alias, 1u));
    s.pub.drop();
    fake_client p(s.b);
    p.connect(v5, "pub", false, keep);
    p.publish("", "use", qos::at_most_once, false, props(property_id::topic_alias, 1u));
    EXPECT_TRUE(p.closed());
    EXPECT_EQ(payloads(s.sub->messages()), strings{"set"});
}

}  // namespace
}  // namespace harness::broker::test
