// Will messages in the broker core (MQTT 3.1.1 and 5.0 section 3.1.2.5, 3.1.3.2, 3.14.4): when
// they are published, when discarded, and the 5.0 Will Delay Interval.
#include "broker_fixture.hpp"

namespace harness::broker::test {
namespace {

using strings = std::vector<std::string>;

/// A broker with a client subscribed to "wills/#".
struct BrokerWill : ::testing::Test {
    BrokerWill() {
        watcher.connect(v5, "watcher");
        watcher.subscribe("wills/#", qos::at_least_once);
    }

    test_broker b;
    fake_client watcher{b};
};

TEST_F(BrokerWill, PublishedWhenTheConnectionEndsWithoutDisconnect_MQTT_3_1_2_8) {
    for (const auto version : {v3_1, v3_1_1, v5}) {
        fake_client c(b);
        c.connect(version, "w", true, {}, will("wills/w", "gone", qos::at_least_once));
        EXPECT_TRUE(watcher.messages().empty());
        c.drop();
        const auto got = watcher.messages();
        ASSERT_EQ(got.size(), 1u) << static_cast<int>(version);
        EXPECT_EQ(got[0].topic, "wills/w");
        EXPECT_EQ(text(got[0].payload), "gone");
        EXPECT_EQ(got[0].qos, qos::at_least_once);
        watcher.send(codec::puback{got[0].packet_id, {}, {}});
    }
}

TEST_F(BrokerWill, PublishedOnDisconnectWithWillMessage0x04_MQTT_3_14_4_3) {
    fake_client c(b);
    c.connect(v5, "w", true, {}, will("wills/w", "asked"));
    c.disconnect(disconnect_reason::disconnect_with_will_message);
    EXPECT_TRUE(c.closed());
    EXPECT_EQ(payloads(watcher.messages()), strings{"asked"});
}

TEST_F(BrokerWill, PublishedOnDisconnectWithAnErrorReasonCode_MQTT_3_1_2_8) {
    // 5.0: only Normal disconnection (0x00) deletes the will.
    fake_client c(b);
    c.connect(v5, "w", true, {}, will("wills/w", "client error"));
    c.disconnect(disconnect_reason::unspecified_error);
    EXPECT_TRUE(c.closed());
    EXPECT_EQ(payloads(watcher.messages()), strings{"client error"});
}

TEST_F(BrokerWill, NotPublishedOnNormalDisconnect_MQTT_3_14_4_3) {
    for (const auto version : {v3_1_1, v5}) {
        fake_client c(b);
        c.connect(version, "w", true, {}, will("wills/w", "never"));
        c.disconnect();
        EXPECT_TRUE(c.closed());
        c.drop();  // the transport closing afterwards does not bring it back
        EXPECT_TRUE(watcher.messages().empty()) << static_cast<int>(version);
    }
}

TEST_F(BrokerWill, PublishedOnProtocolError_MQTT_3_1_2_8) {
    fake_client c(b);
    c.connect(v5, "w", true, {}, will("wills/w", "broken"));
    c.send(codec::suback{1, {}, {codec::suback_reason::granted_qos_0}});
    EXPECT_TRUE(c.closed());
    c.received();
    EXPECT_EQ(payloads(watcher.messages()), strings{"broken"});
}

TEST_F(BrokerWill, RetainedWillIsStored_MQTT_3_1_2_17) {
    fake_client c(b);
    auto w = will("wills/r", "retained");
    w.retain = true;
    c.connect(v5, "w", true, {}, w);
    c.drop();
    EXPECT_EQ(b.core.retained_count(), 1u);
    const auto live = watcher.messages();
    ASSERT_EQ(live.size(), 1u);
    EXPECT_FALSE(live[0].retain);
    fake_client late(b);
    late.connect(v5, "late");
    late.subscribe("wills/r");
    const auto got = late.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].retain);
}

TEST_F(BrokerWill, WillOnSysTopicIsNeitherPublishedNorRetained) {
    // $SYS belongs to the broker: a will there is dropped, as a PUBLISH there is refused.
    fake_client spy(b);
    spy.connect(v5, "spy");
    spy.subscribe("$SYS/fake/#");
    const std::size_t retained_before = b.core.retained_count();
    fake_client c(b);
    auto w = will("$SYS/fake/w", "forged");
    w.retain = true;
    c.connect(v5, "w", true, {}, w);
    c.drop();
    EXPECT_TRUE(spy.messages().empty());
    EXPECT_EQ(b.core.retained_count(), retained_before);
}

TEST_F(BrokerWill, WillDelayIntervalDelaysTheWill_MQTT_3_1_3_9) {
    fake_client c(b);
    c.connect(
        v5, "w", false, props(property_id::session_expiry_interval, 3600u),
        will("wills/w", "late", qos::at_most_once, props(property_id::will_delay_interval, 10u)));
    c.drop();
    b.advance(9s);
    EXPECT_TRUE(watcher.messages().empty());
    b.advance(2s);
    const auto got = watcher.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(text(got[0].payload), "late");
    EXPECT_FALSE(got[0].properties.contains(property_id::will_delay_interval));
}

TEST_F(BrokerWill, NotPublishedWhenTheClientReconnectsBeforeTheDelay_MQTT_3_1_3_9) {
    property_list keep = props(property_id::session_expiry_interval, 3600u);
    {
        fake_client c(b);
        c.connect(v5, "w", false, keep,
                  will("wills/w", "late", qos::at_most_once,
                       props(property_id::will_delay_interval, 10u)));
        c.drop();
    }
    b.advance(5s);
    fake_client c(b);
    EXPECT_TRUE(c.connect(v5, "w", false, keep).session_present);
    b.advance(60s);
    EXPECT_TRUE(watcher.messages().empty());
}

TEST_F(BrokerWill, PublishedWhenTheSessionEndsBeforeTheDelay_MQTT_3_1_3_9) {
    fake_client c(b);
    c.connect(v5, "w", false, props(property_id::session_expiry_interval, 5u),
              will("wills/w", "session over", qos::at_most_once,
                   props(property_id::will_delay_interval, 60u)));
    c.drop();
    b.advance(4s);
    EXPECT_TRUE(watcher.messages().empty());
    b.advance(2s);
    EXPECT_EQ(b.core.session_count(), 1u);  // the watcher's
    EXPECT_EQ(payloads(watcher.messages()), strings{"session over"});
}

TEST_F(BrokerWill, WithSessionExpiry0TheDelayedWillGoesAtOnce_MQTT_3_1_3_9) {
    fake_client c(b);
    c.connect(
        v5, "w", true, {},
        will("wills/w", "now", qos::at_most_once, props(property_id::will_delay_interval, 60u)));
    c.drop();
    EXPECT_EQ(payloads(watcher.messages()), strings{"now"});
}

TEST_F(BrokerWill, CleanStartReconnectBeforeTheDelayPublishesTheWill_MQTT_3_1_3_9) {
    // A new connection with Clean Start 1 ends the old session, and with it the delay.
    fake_client c(b);
    c.connect(v5, "w", false, props(property_id::session_expiry_interval, 3600u),
              will("wills/w", "replaced", qos::at_most_once,
                   props(property_id::will_delay_interval, 60u)));
    c.drop();
    fake_client again(b);
    EXPECT_FALSE(again.connect(v5, "w", true).session_present);
    EXPECT_EQ(payloads(watcher.messages()), strings{"replaced"});
}

TEST_F(BrokerWill, TakeOverPublishesTheOldConnectionsWill_MQTT_3_1_4_3) {
    fake_client old(b);
    old.connect(v5, "w", true, {}, will("wills/w", "taken over"));
    fake_client fresh(b);
    fresh.connect(v5, "w");
    EXPECT_EQ(payloads(watcher.messages()), strings{"taken over"});
    old.received();  // DISCONNECT 0x8E; the transport closes: no second will
    EXPECT_TRUE(watcher.messages().empty());
}

}  // namespace
}  // namespace harness::broker::test
