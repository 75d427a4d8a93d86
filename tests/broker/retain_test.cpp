// Retained messages through the broker core (MQTT 3.1.1 and 5.0 section 3.3.1.3, 3.8.3.1):
// stored, sent on subscribe, deleted by an empty payload, Retain Handling, Retain As Published,
// and the RETAIN flag on live delivery.
#include "broker_fixture.hpp"

#include <algorithm>

namespace harness::broker::test {
namespace {

using strings = std::vector<std::string>;

codec::subscription option(std::string filter, codec::retain_handling rh,
                           bool retain_as_published = false) {
    codec::subscription s;
    s.topic_filter = std::move(filter);
    s.max_qos = qos::at_least_once;
    s.retain_handling = rh;
    s.retain_as_published = retain_as_published;
    return s;
}

struct BrokerRetain : ::testing::Test {
    BrokerRetain() { pub.connect(v5, "pub"); }

    test_broker b;
    fake_client pub{b};
};

TEST_F(BrokerRetain, StoredAndSentOnSubscribeWithRetain1_MQTT_3_3_1_9) {
    for (const auto version : {v3_1_1, v5}) {
        pub.publish("r/a", "A", qos::at_least_once, true);
        pub.publish("r/b", "B", qos::at_most_once, true);
        EXPECT_EQ(b.core.retained_count(), 2u);
        fake_client c(b);
        c.connect(version, "c");
        c.subscribe("r/+", qos::exactly_once);
        auto got = c.messages();
        ASSERT_EQ(got.size(), 2u);
        std::sort(got.begin(), got.end(),
                  [](const auto& x, const auto& y) { return x.topic < y.topic; });
        EXPECT_EQ(payloads(got), (strings{"A", "B"}));
        EXPECT_TRUE(got[0].retain);
        EXPECT_TRUE(got[1].retain);
        EXPECT_EQ(got[0].qos, qos::at_least_once);  // the message's QoS, not the subscription's
        EXPECT_EQ(got[1].qos, qos::at_most_once);
    }
}

TEST_F(BrokerRetain, EmptyPayloadDeletesTheRetainedMessage_MQTT_3_3_1_6) {
    pub.publish("r/a", "A", qos::at_most_once, true);
    EXPECT_EQ(b.core.retained_count(), 1u);
    pub.publish("r/a", "", qos::at_most_once, true);
    EXPECT_EQ(b.core.retained_count(), 0u);
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe("r/#");
    EXPECT_TRUE(c.messages().empty());
}

TEST_F(BrokerRetain, NewRetainedMessageReplacesTheOld_MQTT_3_3_1_5) {
    pub.publish("r/a", "old", qos::at_most_once, true);
    pub.publish("r/a", "new", qos::at_most_once, true);
    pub.publish("r/a", "not retained", qos::at_most_once, false);
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe("r/a");
    EXPECT_EQ(payloads(c.messages()), strings{"new"});
}

TEST_F(BrokerRetain, RetainHandling0SendsOnEverySubscribe_MQTT_3_3_1_9) {
    pub.publish("r/a", "A", qos::at_most_once, true);
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe({option("r/a", codec::retain_handling::send_on_subscribe)});
    EXPECT_EQ(c.messages().size(), 1u);
    c.subscribe({option("r/a", codec::retain_handling::send_on_subscribe)});
    EXPECT_EQ(c.messages().size(), 1u);
}

TEST_F(BrokerRetain, RetainHandling1SendsOnlyForANewSubscription_MQTT_3_3_1_10) {
    pub.publish("r/a", "A", qos::at_most_once, true);
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe({option("r/a", codec::retain_handling::send_if_new_subscription)});
    EXPECT_EQ(c.messages().size(), 1u);
    c.subscribe({option("r/a", codec::retain_handling::send_if_new_subscription)});
    EXPECT_TRUE(c.messages().empty());
}

TEST_F(BrokerRetain, RetainHandling2NeverSends_MQTT_3_3_1_11) {
    pub.publish("r/a", "A", qos::at_most_once, true);
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe({option("r/a", codec::retain_handling::do_not_send)});
    EXPECT_TRUE(c.messages().empty());
}

TEST_F(BrokerRetain, LiveDeliveryHasRetain0UnlessRetainAsPublished_MQTT_3_3_1_12) {
    fake_client plain(b);
    plain.connect(v5, "plain");
    plain.subscribe({option("r/#", codec::retain_handling::send_on_subscribe, false)});
    fake_client rap(b);
    rap.connect(v5, "rap");
    rap.subscribe({option("r/#", codec::retain_handling::send_on_subscribe, true)});
    pub.publish("r/live", "L", qos::at_most_once, true);
    pub.publish("r/other", "O", qos::at_most_once, false);
    const auto p = plain.messages();
    ASSERT_EQ(p.size(), 2u);
    EXPECT_FALSE(p[0].retain);  // [MQTT-3.3.1-13]
    EXPECT_FALSE(p[1].retain);
    const auto r = rap.messages();
    ASSERT_EQ(r.size(), 2u);
    EXPECT_TRUE(r[0].retain);
    EXPECT_FALSE(r[1].retain);
}

TEST_F(BrokerRetain, V311LiveDeliveryHasRetain0_MQTT_3_3_1_9) {
    fake_client c(b);
    c.connect(v3_1_1, "c");
    c.subscribe("r/#");
    fake_client p(b);
    p.connect(v3_1_1, "p311");
    p.publish("r/live", "L", qos::at_most_once, true);
    const auto got = c.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_FALSE(got[0].retain);
    fake_client late(b);
    late.connect(v3_1_1, "late");
    late.subscribe("r/#");
    const auto stored = late.messages();
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_TRUE(stored[0].retain);  // [MQTT-3.3.1-8] sent because of the subscription
}

TEST_F(BrokerRetain, RetainedMessageCarriesTheSubscriptionIdentifier) {
    pub.publish("r/a", "A", qos::at_most_once, true);
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe("r/+", qos::at_most_once, props(property_id::subscription_identifier, 42u));
    const auto got = c.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].properties.subscription_identifiers(), std::vector<std::uint32_t>{42});
}

TEST_F(BrokerRetain, ExpiredRetainedMessageIsNotSent_MQTT_3_3_2_5) {
    pub.publish("r/a", "short", qos::at_most_once, true,
                props(property_id::message_expiry_interval, 5u));
    b.advance(3s);
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe("r/a");
    const auto got = c.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].properties.integer(property_id::message_expiry_interval), 2u);
    b.advance(5s);
    fake_client d(b);
    d.connect(v5, "d");
    d.subscribe("r/a");
    EXPECT_TRUE(d.messages().empty());
}

TEST(BrokerRetainLimits, RetainedMessagesOnSubscribeStopAtTheQueueLimit) {
    // A broad filter over many retained messages: the window and max_queued_messages take what
    // they can, and the walk ends there instead of copying and dropping the rest.
    broker_options o;
    o.max_queued_messages = 50;
    o.max_inflight_messages = 20;
    test_broker b(o);
    fake_client pub(b);
    pub.connect(v5, "pub");
    for (int i = 0; i < 500; ++i)
        pub.publish("r/" + std::to_string(i), "payload", qos::at_least_once, true);
    ASSERT_EQ(b.core.retained_count(), 500u);

    fake_client sub(b);
    sub.connect(v5, "sub");
    const auto dropped = b.core.stats().messages_dropped;
    sub.subscribe("r/#", qos::at_least_once);
    auto first = sub.messages();
    EXPECT_EQ(first.size(), 20u);  // the in-flight window
    EXPECT_EQ(b.core.queued_messages("sub"), 50u);
    EXPECT_EQ(b.core.stats().messages_dropped, dropped);  // the rest were never visited

    std::size_t total = 0;
    while (!first.empty()) {
        total += first.size();
        for (const auto& m : first) {
            EXPECT_TRUE(m.retain);
            sub.send(codec::puback{m.packet_id, {}, {}});
        }
        first = sub.messages();
    }
    EXPECT_EQ(total, 70u);
    EXPECT_EQ(b.core.queued_messages("sub"), 0u);
}

}  // namespace
}  // namespace harness::broker::test
