// The $SYS/broker topics of the broker core, driven by the fixture's clock: the version and the
// first values when the clock starts, updates every sys_interval (only what changed), counters
// and load averages that follow the traffic, retained values for late subscribers, nothing for
// "#" ([MQTT-4.7.2-1]), nothing at all with sys_interval 0, and next_deadline() naming the next
// update.
#include <cmath>
#include <map>

#include "broker_fixture.hpp"

namespace harness::broker::test {
namespace {

broker_options with_interval(std::chrono::seconds interval) {
    broker_options o;
    o.sys_interval = interval;
    o.version_string = "mqtt-harness 9.9.9";
    return o;
}

/// A client subscribed to "$SYS/#" that keeps the last value seen per topic.
struct sys_watcher {
    explicit sys_watcher(test_broker& b) : client(b) {
        client.connect(v5, "sys-watcher");
        client.subscribe("$SYS/#");
        update();
    }

    /// Reads what arrived; returns the topics that arrived.
    std::vector<std::string> update() {
        std::vector<std::string> topics;
        for (const auto& m : client.messages()) {
            values[m.topic] = text(m.payload);
            topics.push_back(m.topic);
        }
        return topics;
    }

    std::uint64_t number(const std::string& topic) const {
        const auto it = values.find(topic);
        if (it == values.end()) {
            ADD_FAILURE() << topic << " never received";
            return 0;
        }
        return std::stoull(it->second);
    }

    double decimal(const std::string& topic) const {
        const auto it = values.find(topic);
        if (it == values.end()) {
            ADD_FAILURE() << topic << " never received";
            return 0;
        }
        return std::stod(it->second);
    }

    fake_client client;
    std::map<std::string, std::string> values;
};

TEST(BrokerSysTopics, SysSubscriberReceivesEveryTopicAndTheUpdatesOfEachInterval) {
    test_broker b(with_interval(10s), with_sys_topics);
    sys_watcher sys(b);
    // The values of the start, retained, reach the new subscription.
    for (const char* topic : {"version",
                              "uptime",
                              "clients/connected",
                              "clients/disconnected",
                              "clients/total",
                              "clients/maximum",
                              "messages/received",
                              "messages/sent",
                              "messages/stored",
                              "publish/messages/dropped",
                              "bytes/received",
                              "bytes/sent",
                              "subscriptions/count",
                              "retained messages/count",
                              "load/messages/received/1min",
                              "load/messages/received/5min",
                              "load/messages/received/15min",
                              "load/messages/sent/1min",
                              "load/bytes/received/5min",
                              "load/bytes/sent/15min",
                              "load/connections/1min",
                              "load/connections/5min",
                              "load/connections/15min"}) {
        EXPECT_TRUE(sys.values.contains(std::string("$SYS/broker/") + topic)) << topic;
    }
    EXPECT_EQ(sys.values["$SYS/broker/version"], "mqtt-harness 9.9.9");
    EXPECT_EQ(sys.values["$SYS/broker/uptime"], "0 seconds");
    EXPECT_EQ(sys.values["$SYS/broker/load/connections/1min"], "0.00");

    b.advance(9s);
    EXPECT_TRUE(sys.update().empty()) << "an update before the interval";
    b.advance(1s);
    const auto topics = sys.update();
    EXPECT_FALSE(topics.empty());
    EXPECT_EQ(sys.values["$SYS/broker/uptime"], "10 seconds");
    EXPECT_EQ(sys.number("$SYS/broker/clients/connected"), 1u);
    EXPECT_EQ(sys.number("$SYS/broker/subscriptions/count"), 1u);
    // The version is static: published once, at the start.
    EXPECT_EQ(std::count(topics.begin(), topics.end(), "$SYS/broker/version"), 0);

    b.advance(10s);
    sys.update();
    EXPECT_EQ(sys.values["$SYS/broker/uptime"], "20 seconds");
}

TEST(BrokerSysTopics, CountersFollowConnectionsMessagesAndBytes) {
    test_broker b(with_interval(10s), with_sys_topics);
    sys_watcher sys(b);
    b.advance(10s);
    sys.update();
    const auto received = sys.number("$SYS/broker/messages/received");
    const auto bytes_in = sys.number("$SYS/broker/bytes/received");
    const auto bytes_out = sys.number("$SYS/broker/bytes/sent");
    const auto sent = sys.number("$SYS/broker/messages/sent");
    EXPECT_EQ(sys.number("$SYS/broker/clients/connected"), 1u);

    fake_client pub(b);
    pub.connect(v5, "pub");
    fake_client keeper(b);
    keeper.connect(v5, "keeper", false, props(property_id::session_expiry_interval, 300));
    keeper.subscribe("kept/#", qos::at_least_once);
    for (int n = 0; n < 3; ++n)
        pub.publish("plain/topic", "payload " + std::to_string(n));
    b.advance(10s);
    sys.update();
    EXPECT_EQ(sys.number("$SYS/broker/messages/received"), received + 3);
    EXPECT_GT(sys.number("$SYS/broker/bytes/received"), bytes_in);
    EXPECT_GT(sys.number("$SYS/broker/bytes/sent"), bytes_out);
    EXPECT_GT(sys.number("$SYS/broker/messages/sent"), sent);  // the $SYS updates themselves
    EXPECT_EQ(sys.number("$SYS/broker/clients/connected"), 3u);
    EXPECT_EQ(sys.number("$SYS/broker/clients/maximum"), 3u);
    EXPECT_EQ(sys.number("$SYS/broker/subscriptions/count"), 2u);

    // A persistent session without its connection counts as disconnected; messages queued for
    // it and retained messages count as stored.
    keeper.disconnect();
    pub.disconnect();
    fake_client other(b);
    other.connect(v5, "other");
    other.publish("kept/a", "queued", qos::at_least_once);
    other.publish("kept/b", "retained", qos::at_most_once, true);
    b.advance(10s);
    sys.update();
    EXPECT_EQ(sys.number("$SYS/broker/clients/connected"), 2u);
    EXPECT_EQ(sys.number("$SYS/broker/clients/disconnected"), 1u);
    EXPECT_EQ(sys.number("$SYS/broker/clients/total"), 3u);
    EXPECT_EQ(sys.number("$SYS/broker/clients/maximum"), 3u);
    // Retained: kept/b and the $SYS topics themselves; queued: kept/a for keeper.
    EXPECT_EQ(sys.number("$SYS/broker/retained messages/count"), b.core.retained_count());
    EXPECT_EQ(sys.number("$SYS/broker/messages/stored"), b.core.retained_count() + 1);
    EXPECT_EQ(b.core.queued_messages("keeper"), 1u);
}

TEST(BrokerSysTopics, DroppedMessagesAreCounted) {
    auto options = with_interval(10s);
    options.max_queued_messages = 1;
    test_broker b(options, with_sys_topics);
    sys_watcher sys(b);
    fake_client keeper(b);
    keeper.connect(v5, "keeper", false, props(property_id::session_expiry_interval, 300));
    keeper.subscribe("q", qos::at_least_once);
    keeper.disconnect();
    fake_client pub(b);
    pub.connect(v5, "pub");
    pub.publish("q", "1", qos::at_least_once);
    pub.publish("q", "2", qos::at_least_once);  // the offline queue holds one
    b.advance(10s);
    sys.update();
    EXPECT_EQ(sys.number("$SYS/broker/publish/messages/dropped"), 1u);
}

TEST(BrokerSysTopics, RetainedValuesReachALateSubscriberWithTheRetainFlag) {
    test_broker b(with_interval(10s), with_sys_topics);
    fake_client first(b);
    first.connect(v5, "first");
    b.advance(10s);

    fake_client late(b);
    late.connect(v3_1_1, "late");
    late.subscribe("$SYS/broker/clients/connected");
    const auto got = late.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].retain);            // [MQTT-3.3.1-8]
    EXPECT_EQ(text(got[0].payload), "1");  // the value of the last update, before `late`
}

TEST(BrokerSysTopics, HashSubscriberDoesNotReceiveSysTopics_MQTT_4_7_2_1) {
    test_broker b(with_interval(10s), with_sys_topics);
    fake_client all(b);
    all.connect(v5, "all");
    all.subscribe("#");
    all.subscribe("+/broker/uptime");
    EXPECT_TRUE(all.messages().empty()) << "retained $SYS values sent to '#'";
    b.advance(30s);
    fake_client pub(b);
    pub.connect(v5, "pub");
    pub.publish("ordinary/topic", "x");
    const auto got = all.messages();
    ASSERT_EQ(got.size(), 1u) << "only the ordinary message";
    EXPECT_EQ(got[0].topic, "ordinary/topic");
}

TEST(BrokerSysTopics, ClientsStillCannotPublishIntoSys) {
    test_broker b(with_interval(10s), with_sys_topics);
    sys_watcher sys(b);
    fake_client pub(b);
    pub.connect(v5, "pub");
    pub.publish("$SYS/broker/uptime", "forged", qos::at_least_once, true);
    EXPECT_EQ(pub.expect<codec::puback>().reason_code, codec::puback_reason::not_authorized);
    sys.update();
    EXPECT_EQ(sys.values["$SYS/broker/uptime"], "0 seconds");
}

TEST(BrokerSysTopics, SysIntervalZeroPublishesNothing) {
    test_broker b(with_interval(0s), with_sys_topics);
    fake_client sub(b);
    sub.connect(v5, "sub");
    sub.subscribe("$SYS/#");
    b.advance(60s);
    EXPECT_TRUE(sub.messages().empty());
    EXPECT_EQ(b.core.retained_count(), 0u);
    sub.drop();
    EXPECT_EQ(b.core.next_deadline(), std::nullopt);
}

TEST(BrokerSysTopics, NextDeadlineReportsTheNextPublication) {
    test_broker b(with_interval(10s), with_sys_topics);
    EXPECT_EQ(b.core.next_deadline(), std::nullopt) << "no time seen yet";
    const auto start = b.now;
    b.core.tick(start);  // the clock starts: the first values are published now
    EXPECT_EQ(b.core.retained_count(), 29u);  // version, uptime, 12 counters, 15 load averages
    EXPECT_EQ(b.core.next_deadline(), start + 10s);
    b.now = start + 10s;
    b.core.tick(b.now);
    EXPECT_EQ(b.core.next_deadline(), start + 20s);
    // Late ticks do not pile up updates: the next one is an interval after the late one.
    b.now = start + 45s;
    b.core.tick(b.now);
    EXPECT_EQ(b.core.next_deadline(), start + 55s);
}

TEST(BrokerSysTopics, DefaultIntervalIsTenSecondsAsMosquitto) {
    test_broker b(broker_options{}, with_sys_topics);
    b.core.tick(b.now);
    EXPECT_EQ(b.core.next_deadline(), b.now + 10s);
    fake_client sub(b);
    sub.connect(v5, "sub");
    sub.subscribe("$SYS/broker/version");
    const auto got = sub.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(text(got[0].payload), "mqtt-harness");
}

TEST(BrokerSysTopics, LoadAveragesRiseAfterTrafficAndDecayAfterIt) {
    test_broker b(with_interval(10s), with_sys_topics);
    sys_watcher sys(b);
    fake_client pub(b);
    pub.connect(v5, "pub");
    for (int n = 0; n < 60; ++n)
        pub.publish("load/topic", "x");
    b.advance(10s);
    sys.update();
    // 60 messages in 10 s: 360 a minute; the 1-minute average moves by 1 - exp(-10/60) of that.
    const double one = sys.decimal("$SYS/broker/load/messages/received/1min");
    const double five = sys.decimal("$SYS/broker/load/messages/received/5min");
    const double fifteen = sys.decimal("$SYS/broker/load/messages/received/15min");
    EXPECT_NEAR(one, 360.0 * (1.0 - std::exp(-10.0 / 60.0)), 0.01);
    EXPECT_NEAR(five, 360.0 * (1.0 - std::exp(-10.0 / 300.0)), 0.01);
    EXPECT_GT(one, five);
    EXPECT_GT(five, fifteen);
    EXPECT_GT(fifteen, 0.0);
    EXPECT_GT(sys.decimal("$SYS/broker/load/bytes/received/1min"), 0.0);
    EXPECT_GT(sys.decimal("$SYS/broker/load/bytes/sent/1min"), 0.0);
    EXPECT_GT(sys.decimal("$SYS/broker/load/connections/1min"), 0.0);

    b.advance(60s);  // no more traffic
    sys.update();
    EXPECT_LT(sys.decimal("$SYS/broker/load/messages/received/1min"), one);
}

}  // namespace
}  // namespace harness::broker::test
