// SUBSCRIBE and UNSUBSCRIBE in the broker core (MQTT 3.1.1 and 5.0 sections 3.8-3.11, 4.7,
// 4.8): granted QoS, wildcards and '$' topics, overlapping subscriptions, shared subscriptions,
// no local, and the reason codes of SUBACK and UNSUBACK.
#include "broker_fixture.hpp"

#include <algorithm>

namespace harness::broker::test {
namespace {

using codec::suback_reason;
using codec::unsuback_reason;
using strings = std::vector<std::string>;

codec::subscription option(std::string filter, qos q = qos::at_most_once) {
    codec::subscription s;
    s.topic_filter = std::move(filter);
    s.max_qos = q;
    return s;
}

TEST(BrokerSubscribe, SubackGrantsTheRequestedQosInOrder_MQTT_3_8_4_6) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "c");
    const auto ack = c.subscribe({option("a", qos::at_most_once), option("b", qos::at_least_once),
                                  option("c", qos::exactly_once)});
    EXPECT_EQ(ack.reason_codes, (std::vector<suback_reason>{suback_reason::granted_qos_0,
                                                            suback_reason::granted_qos_1,
                                                            suback_reason::granted_qos_2}));
}

TEST(BrokerSubscribe, MaximumQosDowngradesTheGrantedQos_MQTT_3_8_4_7) {
    broker_options o;
    o.maximum_qos = qos::at_least_once;
    test_broker b(o);
    fake_client c(b);
    c.connect(v3_1_1, "c");
    EXPECT_EQ(c.subscribe("t", qos::exactly_once).reason_codes,
              std::vector<suback_reason>{suback_reason::granted_qos_1});
}

TEST(BrokerSubscribe, WildcardsMatchAndDollarTopicsAreNotMatchedByHash_MQTT_4_7_2_1) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe("#");
    fake_client plus(b);
    plus.connect(v5, "plus");
    plus.subscribe("+/status");
    fake_client sys(b);
    sys.connect(v5, "sys");
    sys.subscribe("$internal/+");
    fake_client p(b);
    p.connect(v5, "p");
    p.publish("$internal/status", "dollar");
    p.publish("dev/status", "plain");
    p.publish("dev/x/status", "deep");
    EXPECT_EQ(payloads(c.messages()), (strings{"plain", "deep"}));
    EXPECT_EQ(payloads(plus.messages()), strings{"plain"});
    EXPECT_EQ(payloads(sys.messages()), strings{"dollar"});
}

TEST(BrokerSubscribe, OverlappingSubscriptionsGiveOneCopyWithBothIdentifiers_MQTT_3_3_4_2) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe("a/+", qos::at_most_once, props(property_id::subscription_identifier, 1u));
    c.subscribe("a/b", qos::at_least_once, props(property_id::subscription_identifier, 2u));
    c.subscribe("#", qos::at_most_once);  // no identifier
    fake_client p(b);
    p.connect(v5, "p");
    p.publish("a/b", "x", qos::exactly_once);
    const auto got = c.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].qos, qos::at_least_once);  // the highest granted ([MQTT-3.3.4-3])
    auto ids = got[0].properties.subscription_identifiers();
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<std::uint32_t>{1, 2}));
    p.publish("a/c", "y");
    const auto other = c.messages();
    ASSERT_EQ(other.size(), 1u);
    EXPECT_EQ(other[0].properties.subscription_identifiers(), std::vector<std::uint32_t>{1});
}

TEST(BrokerSubscribe, ResubscribingReplacesTheSubscription_MQTT_3_8_4_3) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe("t", qos::exactly_once, props(property_id::subscription_identifier, 5u));
    c.subscribe("t", qos::at_most_once);
    fake_client p(b);
    p.connect(v5, "p");
    p.publish("t", "x", qos::exactly_once);
    const auto got = c.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].qos, qos::at_most_once);
    EXPECT_TRUE(got[0].properties.subscription_identifiers().empty());
}

TEST(BrokerSubscribe, SharedSubscriptionSpreadsMessagesOverMembers_MQTT_4_8_2_1) {
    test_broker b;
    fake_client m1(b);
    m1.connect(v5, "m1");
    m1.subscribe("$share/g/jobs/+");
    fake_client m2(b);
    m2.connect(v5, "m2");
    m2.subscribe("$share/g/jobs/+");
    fake_client plain(b);
    plain.connect(v5, "plain");
    plain.subscribe("jobs/#");
    fake_client p(b);
    p.connect(v5, "p");
    for (int i = 0; i < 10; ++i)
        p.publish("jobs/" + std::to_string(i), std::to_string(i));
    const auto a = m1.messages();
    const auto c = m2.messages();
    EXPECT_EQ(a.size() + c.size(), 10u);  // each message to one member of the group
    EXPECT_EQ(a.size(), 5u);
    EXPECT_EQ(c.size(), 5u);
    EXPECT_EQ(plain.messages().size(), 10u);  // and to every ordinary subscription
}

TEST(BrokerSubscribe, SharedSubscriptionGetsNoRetainedMessages) {
    test_broker b;
    fake_client p(b);
    p.connect(v5, "p");
    p.publish("jobs/1", "retained", qos::at_most_once, true);
    fake_client m(b);
    m.connect(v5, "m");
    m.subscribe("$share/g/jobs/#");
    EXPECT_TRUE(m.messages().empty());
    p.publish("jobs/2", "live");
    EXPECT_EQ(payloads(m.messages()), strings{"live"});
}

TEST(BrokerSubscribe, UnsubscribingFromASharedGroupLeavesTheOtherMembers) {
    test_broker b;
    fake_client m1(b);
    m1.connect(v5, "m1");
    m1.subscribe("$share/g/jobs");
    fake_client m2(b);
    m2.connect(v5, "m2");
    m2.subscribe("$share/g/jobs");
    EXPECT_EQ(m1.unsubscribe({"$share/g/jobs"}).reason_codes,
              std::vector<unsuback_reason>{unsuback_reason::success});
    fake_client p(b);
    p.connect(v5, "p");
    for (int i = 0; i < 4; ++i)
        p.publish("jobs", std::to_string(i));
    EXPECT_TRUE(m1.messages().empty());
    EXPECT_EQ(m2.messages().size(), 4u);
}

TEST(BrokerSubscribe, SharedSubscriptionsUnavailableGetSuback0x9E) {
    broker_options o;
    o.shared_subscriptions = false;
    test_broker b(o);
    fake_client c(b);
    c.connect(v5, "c");
    EXPECT_EQ(c.subscribe("$share/g/t").reason_codes,
              std::vector<suback_reason>{suback_reason::shared_subscriptions_not_supported});
}

TEST(BrokerSubscribe, WildcardsUnavailableGetSuback0xA2) {
    broker_options o;
    o.wildcard_subscriptions = false;
    test_broker b(o);
    fake_client c(b);
    c.connect(v5, "c");
    EXPECT_EQ(c.subscribe({option("a/#"), option("a/b")}).reason_codes,
              (std::vector<suback_reason>{suback_reason::wildcard_subscriptions_not_supported,
                                          suback_reason::granted_qos_0}));
}

TEST(BrokerSubscribe, SubscriptionIdentifiersUnavailableIsDisconnect0xA1) {
    broker_options o;
    o.subscription_identifiers = false;
    test_broker b(o);
    fake_client c(b);
    c.connect(v5, "c");
    codec::subscribe s;
    s.packet_id = 1;
    s.properties = props(property_id::subscription_identifier, 3u);
    s.subscriptions = {option("t")};
    c.send(s);
    const auto d = only<codec::disconnect>(c.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::subscription_identifiers_not_supported);
}

TEST(BrokerSubscribe, NoLocalKeepsOwnMessagesAway_MQTT_3_8_3_3) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "c");
    auto s = option("t");
    s.no_local = true;
    c.subscribe({s});
    c.publish("t", "mine");
    EXPECT_TRUE(c.messages().empty());
    fake_client other(b);
    other.connect(v5, "other");
    other.publish("t", "theirs");
    EXPECT_EQ(payloads(c.messages()), strings{"theirs"});
    // Without No Local a client receives its own messages.
    fake_client echo(b);
    echo.connect(v5, "echo");
    echo.subscribe("t");
    echo.publish("t", "own");
    EXPECT_EQ(payloads(echo.messages()), strings{"own"});
}

TEST(BrokerSubscribe, UnsubscribeReasonCodes_MQTT_3_11_3_1) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "c");
    c.subscribe("a");
    const auto ack = c.unsubscribe({"a", "never"});
    EXPECT_EQ(ack.reason_codes,
              (std::vector<unsuback_reason>{unsuback_reason::success,
                                            unsuback_reason::no_subscription_existed}));
    EXPECT_EQ(c.unsubscribe({"a"}).reason_codes,
              std::vector<unsuback_reason>{unsuback_reason::no_subscription_existed});
    fake_client p(b);
    p.connect(v5, "p");
    p.publish("a", "x");
    EXPECT_TRUE(c.messages().empty());
}

TEST(BrokerSubscribe, UnsubackIsSentEvenWhenNothingMatched_MQTT_3_10_4_5) {
    test_broker b;
    fake_client c(b);
    c.connect(v3_1_1, "c");
    codec::unsubscribe u;
    u.packet_id = 9;
    u.topic_filters = {"nothing"};
    c.send(u);
    const auto ack = c.expect<codec::unsuback>();
    EXPECT_EQ(ack.packet_id, 9);
    EXPECT_TRUE(ack.reason_codes.empty());  // 3.1.1 has none
}

}  // namespace
}  // namespace harness::broker::test
