// Sessions in the broker core (MQTT 3.1.1 and 5.0 sections 3.1.2.4, 3.1.2.11, 3.14 and 4.1):
// clean start, resumption, Session Expiry Interval and its change on DISCONNECT.
#include "broker_fixture.hpp"

namespace harness::broker::test {
namespace {

TEST(BrokerSession, CleanStart0ResumesSessionWithSubscriptions_MQTT_3_2_2_3) {
    for (const auto version : {v3_1_1, v5}) {
        SCOPED_TRACE(static_cast<int>(version));
        test_broker b;
        property_list keep = props(property_id::session_expiry_interval, 3600u);
        {
            fake_client c(b);
            EXPECT_FALSE(c.connect(version, "sub", false, keep).session_present);
            c.subscribe("t/#", qos::at_least_once);
            c.disconnect();
        }
        EXPECT_EQ(b.core.session_count(), 1u);
        fake_client c(b);
        EXPECT_TRUE(c.connect(version, "sub", false, keep).session_present);
        fake_client pub(b);
        pub.connect(version, "pub");
        pub.publish("t/1", "kept", qos::at_least_once);
        EXPECT_EQ(payloads(c.messages()), std::vector<std::string>{"kept"});
    }
}

TEST(BrokerSession, CleanStart1DiscardsSessionAndSessionPresentIs0_MQTT_3_2_2_2) {
    for (const auto version : {v3_1_1, v5}) {
        SCOPED_TRACE(static_cast<int>(version));
        test_broker b;
        property_list keep = props(property_id::session_expiry_interval, 3600u);
        {
            fake_client c(b);
            c.connect(version, "sub", false, keep);
            c.subscribe("t", qos::at_least_once);
            c.disconnect();
        }
        fake_client c(b);
        EXPECT_FALSE(c.connect(version, "sub", true, keep).session_present);
        fake_client pub(b);
        pub.connect(version, "pub");
        pub.publish("t", "gone", qos::at_least_once);
        EXPECT_TRUE(c.messages().empty());  // the subscription went with the old session
    }
}

TEST(BrokerSession, OfflineSessionKeptUntilSessionExpiryInterval_MQTT_3_1_2_23) {
    test_broker b;
    {
        fake_client c(b);
        c.connect(v5, "s", false, props(property_id::session_expiry_interval, 30u));
        c.disconnect();
    }
    EXPECT_EQ(b.core.session_count(), 1u);
    b.advance(29s);
    EXPECT_EQ(b.core.session_count(), 1u);
    b.advance(2s);
    EXPECT_EQ(b.core.session_count(), 0u);
    fake_client c(b);
    EXPECT_FALSE(c.connect(v5, "s", false).session_present);
}

TEST(BrokerSession, SessionExpiryInterval0EndsSessionAtDisconnect_MQTT_3_1_2_23) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "s", false);  // no Session Expiry Interval: 0
    EXPECT_EQ(b.core.session_count(), 1u);
    c.drop();
    EXPECT_EQ(b.core.session_count(), 0u);
}

TEST(BrokerSession, DisconnectCanChangeSessionExpiry) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "s", false, props(property_id::session_expiry_interval, 10u));
    c.disconnect(disconnect_reason::normal_disconnection,
                 props(property_id::session_expiry_interval, 100u));
    b.advance(50s);
    EXPECT_EQ(b.core.session_count(), 1u);
    b.advance(51s);
    EXPECT_EQ(b.core.session_count(), 0u);
}

TEST(BrokerSession, DisconnectSettingExpiry0EndsTheSession_MQTT_3_1_2_23) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "s", false, props(property_id::session_expiry_interval, 3600u));
    c.disconnect(disconnect_reason::normal_disconnection,
                 props(property_id::session_expiry_interval, 0u));
    EXPECT_EQ(b.core.session_count(), 0u);
}

TEST(BrokerSession, DisconnectSettingExpiryAfterConnect0IsProtocolError_MQTT_3_14_2_2) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "s", false);
    c.send(codec::disconnect{disconnect_reason::normal_disconnection,
                             props(property_id::session_expiry_interval, 60u)});
    const auto d = only<codec::disconnect>(c.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::protocol_error);
    EXPECT_TRUE(c.closed());
    EXPECT_EQ(b.core.session_count(), 0u);  // the session still ends with the connection
}

}  // namespace
}  // namespace harness::broker::test
