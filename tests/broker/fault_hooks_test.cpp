// Fault hooks of the broker core: drop, delay and duplicate matching packets in either
// direction, disconnect a client, refuse connections for a while; and the packet observer.
#include "broker_fixture.hpp"

namespace harness::broker::test {
namespace {

struct pair_of_clients {
    explicit pair_of_clients(test_broker& b) : sub(b), pub(b) {
        sub.connect(v5, "sub");
        pub.connect(v5, "pub");
        sub.subscribe("t/#", qos::at_least_once);
    }
    fake_client sub;
    fake_client pub;
};

fault_rule rule(fault_rule::action what, direction on, std::string topic_filter = "t/#",
                std::uint32_t count = 1) {
    fault_rule r;
    r.what = what;
    r.on = on;
    r.type = codec::packet_type::publish;
    r.topic_filter = std::move(topic_filter);
    r.count = count;
    return r;
}

TEST(BrokerFaults, DropOutgoingPublishSkipsOneDeliveryThenRetires) {
    test_broker b;
    pair_of_clients c(b);
    b.core.add_fault(rule(fault_rule::action::drop, direction::out));
    c.pub.publish("t/1", "first");
    c.pub.publish("t/1", "second");
    EXPECT_EQ(payloads(c.sub.messages()), std::vector<std::string>{"second"});
}

TEST(BrokerFaults, DropIncomingPublishIsNeverRoutedNorAcknowledged) {
    test_broker b;
    pair_of_clients c(b);
    b.core.add_fault(rule(fault_rule::action::drop, direction::in));
    c.pub.publish("t/1", "lost", qos::at_least_once);
    EXPECT_TRUE(c.pub.received().empty());  // no PUBACK: as if the packet never arrived
    EXPECT_TRUE(c.sub.messages().empty());
}

TEST(BrokerFaults, DelayedOutgoingPublishArrivesAfterItsDelay) {
    test_broker b;
    pair_of_clients c(b);
    auto r = rule(fault_rule::action::delay, direction::out);
    r.delay = 500ms;
    b.core.add_fault(r);
    c.pub.publish("t/1", "late");
    c.pub.publish("t/1", "on time");
    EXPECT_EQ(payloads(c.sub.messages()), std::vector<std::string>{"on time"});
    ASSERT_TRUE(b.core.next_deadline().has_value());
    EXPECT_LE(*b.core.next_deadline(), b.now + 500ms);  // the server's timer wakes for it
    b.advance(499ms);
    EXPECT_TRUE(c.sub.messages().empty());
    b.advance(1ms);
    EXPECT_EQ(payloads(c.sub.messages()), std::vector<std::string>{"late"});
}

TEST(BrokerFaults, DelayedIncomingPublishIsRoutedAfterItsDelay) {
    test_broker b;
    pair_of_clients c(b);
    auto r = rule(fault_rule::action::delay, direction::in);
    r.delay = 200ms;
    b.core.add_fault(r);
    c.pub.publish("t/1", "held");
    EXPECT_TRUE(c.sub.messages().empty());
    b.advance(200ms);
    EXPECT_EQ(payloads(c.sub.messages()), std::vector<std::string>{"held"});
}

TEST(BrokerFaults, DuplicatedOutgoingPublishArrivesTwice) {
    test_broker b;
    pair_of_clients c(b);
    b.core.add_fault(rule(fault_rule::action::duplicate, direction::out));
    c.pub.publish("t/1", "twice");
    EXPECT_EQ(payloads(c.sub.messages()), (std::vector<std::string>{"twice", "twice"}));
}

TEST(BrokerFaults, RuleMatchesOnlyItsClientAndTopic) {
    test_broker b;
    pair_of_clients c(b);
    auto r = rule(fault_rule::action::drop, direction::in, "t/secret", 0);
    r.client_id = "pub";
    b.core.add_fault(r);
    fake_client other(b);
    other.connect(v5, "other");
    c.pub.publish("t/open", "a");
    c.pub.publish("t/secret", "b");
    other.publish("t/secret", "c");
    EXPECT_EQ(payloads(c.sub.messages()), (std::vector<std::string>{"a", "c"}));
}

TEST(BrokerFaults, RemovedRuleNoLongerActs) {
    test_broker b;
    pair_of_clients c(b);
    const auto id = b.core.add_fault(rule(fault_rule::action::drop, direction::out, "t/#", 0));
    c.pub.publish("t/1", "dropped");
    EXPECT_TRUE(b.core.remove_fault(id));
    EXPECT_FALSE(b.core.remove_fault(id));
    c.pub.publish("t/1", "kept");
    EXPECT_EQ(payloads(c.sub.messages()), std::vector<std::string>{"kept"});
}

TEST(BrokerFaults, DisconnectClientSendsDisconnectAndCloses) {
    test_broker b;
    fake_client c(b);
    c.connect(v5, "victim");
    EXPECT_TRUE(
        b.core.disconnect_client("victim", disconnect_reason::administrative_action, b.now));
    const auto d = c.expect<codec::disconnect>();
    EXPECT_EQ(d.reason_code, disconnect_reason::administrative_action);
    EXPECT_TRUE(c.closed());
    EXPECT_FALSE(
        b.core.disconnect_client("nobody", disconnect_reason::administrative_action, b.now));
}

TEST(BrokerFaults, RefusedConnectionsGetServerUnavailableUntilTheWindowEnds) {
    test_broker b;
    b.core.refuse_connections_until(b.now + 2s);
    fake_client v5_client(b);
    EXPECT_EQ(v5_client.connect(v5, "a").reason_code, codec::connack_reason::server_unavailable);
    EXPECT_TRUE(v5_client.closed());
    fake_client v3_client(b);
    EXPECT_EQ(v3_client.connect(v3_1_1, "b").reason_code,
              codec::connack_reason::server_unavailable);
    b.advance(2s);
    fake_client later(b);
    EXPECT_EQ(later.connect(v5, "c").reason_code, codec::connack_reason::success);
}

TEST(BrokerObserver, SeesEveryPacketInAndOutWithItsConnectionAndTime) {
    test_broker b;
    std::vector<std::tuple<connection_id, direction, codec::packet_type, time_point>> seen;
    b.core.observe([&](connection_id id, direction d, const codec::packet& p, time_point t) {
        seen.emplace_back(id, d, codec::type_of(p), t);
    });
    fake_client c(b);
    c.connect(v5, "watched");
    b.advance(5ms);
    c.publish("x", "y", qos::at_least_once);
    using codec::packet_type;
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen[0], std::make_tuple(c.id(), direction::in, packet_type::connect, b.now - 5ms));
    EXPECT_EQ(seen[1], std::make_tuple(c.id(), direction::out, packet_type::connack, b.now - 5ms));
    EXPECT_EQ(seen[2], std::make_tuple(c.id(), direction::in, packet_type::publish, b.now));
    EXPECT_EQ(seen[3], std::make_tuple(c.id(), direction::out, packet_type::puback, b.now));
}

}  // namespace
}  // namespace harness::broker::test
