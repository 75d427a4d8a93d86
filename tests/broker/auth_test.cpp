// Authentication and authorization in the broker core through the broker_options hooks, with
// Mosquitto 2.0.11's answers (checked against the real broker): refused CONNECTs, PUBLISH and
// SUBSCRIBE denied by the ACL, and the read check on every delivery, retained messages included.
#include <set>
#include <tuple>

#include "broker_fixture.hpp"

namespace harness::broker::test {
namespace {

using codec::connack_reason;
using codec::puback_reason;
using codec::pubrec_reason;
using codec::suback_reason;
using strings = std::vector<std::string>;

broker_options with_password(bool allow_anonymous) {
    broker_options o;
    o.access.allow_anonymous = allow_anonymous;
    o.access.authenticate = [](std::string_view user, std::string_view password) {
        return user == "alice" && password == "secret";
    };
    return o;
}

TEST(BrokerAuth, AnonymousClientRefusedNotAuthorizedWhenNotAllowed) {
    test_broker b(with_password(false));
    for (const auto version : {v3_1, v3_1_1, v5}) {
        fake_client c(b);
        const auto ack = c.connect(login(version, "anon", std::nullopt, std::nullopt));
        // 5.0 0x87; before 5.0 return code 5 (decoded as 0x87).
        EXPECT_EQ(ack.reason_code, connack_reason::not_authorized) << static_cast<int>(version);
        EXPECT_TRUE(c.closed());
    }
    EXPECT_EQ(b.core.stats().clients_connected, 0u);
    EXPECT_EQ(b.core.session_count(), 0u);
}

TEST(BrokerAuth, AnonymousClientAcceptedByDefault) {
    test_broker b(with_password(true));
    fake_client c(b);
    EXPECT_EQ(c.connect(login(v5, "anon", std::nullopt, std::nullopt)).reason_code,
              connack_reason::success);
}

TEST(BrokerAuth, WrongPasswordUnknownUserOrMissingPasswordRefusedNotAuthorizedAsMosquitto) {
    // Mosquitto 2.0.11 answers 0x87 (3.1.1: 5), not 0x86 / 4, to a bad user name or password.
    test_broker b(with_password(true));
    const std::vector<std::pair<std::string, std::optional<std::string>>> logins = {
        {"alice", "wrong"}, {"bob", "secret"}, {"alice", std::nullopt}};
    for (const auto version : {v3_1_1, v5}) {
        for (const auto& [user, password] : logins) {
            fake_client c(b);
            const auto ack = c.connect(login(version, "c", user, password));
            EXPECT_EQ(ack.reason_code, connack_reason::not_authorized)
                << static_cast<int>(version) << " " << user;
            EXPECT_TRUE(c.closed());
        }
    }
    EXPECT_EQ(b.core.session_count(), 0u);
}

TEST(BrokerAuth, RightPasswordAccepted) {
    test_broker b(with_password(false));
    for (const auto version : {v3_1_1, v5}) {
        fake_client c(b);
        EXPECT_EQ(c.connect(login(version, "c", "alice", "secret")).reason_code,
                  connack_reason::success);
        EXPECT_FALSE(c.closed());
        c.disconnect();
    }
}

TEST(BrokerAuth, RefusalIsLogged) {
    test_broker b(with_password(false));
    std::vector<std::string> lines;
    b.core.log_to([&](const std::string& line) { lines.push_back(line); });
    fake_client c(b);
    c.connect(login(v5, "intruder", "alice", "wrong"));
    ASSERT_FALSE(lines.empty());
    EXPECT_NE(lines.back().find("intruder"), std::string::npos) << lines.back();
    EXPECT_NE(lines.back().find("bad user name or password"), std::string::npos) << lines.back();
}

/// An ACL as a set of (user, topic, access) grants; anonymous clients are "".
struct BrokerAcl : ::testing::Test {
    static broker_options acl_options(
        std::set<std::tuple<std::string, std::string, acl_access>>* g) {
        broker_options o;
        o.access.authorize = [g](std::string_view, std::optional<std::string_view> user,
                                 std::string_view topic, acl_access access) {
            return g->contains({std::string(user.value_or("")), std::string(topic), access});
        };
        return o;
    }

    void allow(std::string user, std::string topic, acl_access access) {
        grants.insert({std::move(user), std::move(topic), access});
    }

    std::set<std::tuple<std::string, std::string, acl_access>> grants;
    test_broker b{acl_options(&grants)};
};

TEST_F(BrokerAcl, PublishDeniedForWriteIsAcknowledgedNotAuthorizedAndNotDelivered) {
    allow("reader", "t", acl_access::subscribe);
    allow("reader", "t", acl_access::read);
    fake_client reader(b);
    reader.connect(login(v5, "reader", "reader", "x"));
    reader.subscribe("t", qos::exactly_once);
    const auto retained_before = b.core.retained_count();  // $SYS topics may be retained
    for (const auto version : {v3_1_1, v5}) {
        fake_client c(b);
        c.connect(login(version, "writer", "writer", "x"));
        const auto id1 = c.publish("t", "q1", qos::at_least_once);
        const auto ack = c.expect<codec::puback>();
        EXPECT_EQ(ack.packet_id, id1);
        // Mosquitto 2.0.11: 5.0 PUBACK 0x87; 3.1.1 has no reason code (a plain PUBACK).
        EXPECT_EQ(ack.reason_code,
                  version == v5 ? puback_reason::not_authorized : puback_reason::success);
        const auto id2 = c.publish("t", "q2", qos::exactly_once);
        const auto rec = c.expect<codec::pubrec>();
        EXPECT_EQ(rec.packet_id, id2);
        EXPECT_EQ(rec.reason_code,
                  version == v5 ? pubrec_reason::not_authorized : pubrec_reason::success);
        c.publish("t", "q0", qos::at_most_once, true);  // not retained either
        c.disconnect();
    }
    EXPECT_TRUE(reader.messages().empty());
    EXPECT_EQ(b.core.retained_count(), retained_before);
}

TEST_F(BrokerAcl, PublishAllowedForWriteIsDelivered) {
    allow("reader", "t", acl_access::subscribe);
    allow("reader", "t", acl_access::read);
    allow("writer", "t", acl_access::write);
    fake_client reader(b);
    reader.connect(login(v5, "reader", "reader", "x"));
    reader.subscribe("t");
    fake_client c(b);
    c.connect(login(v5, "writer", "writer", "x"));
    c.publish("t", "hello", qos::at_least_once);
    EXPECT_EQ(c.expect<codec::puback>().reason_code, puback_reason::success);
    EXPECT_EQ(payloads(reader.messages()), strings{"hello"});
}

TEST_F(BrokerAcl, SubscribeDeniedGetsNotAuthorizedIn5And0x80In311) {
    allow("u", "ok/#", acl_access::subscribe);
    for (const auto version : {v3_1_1, v5}) {
        fake_client c(b);
        c.connect(login(version, "c", "u", "x"));
        codec::subscription no, yes;
        no.topic_filter = "secret/#";
        yes.topic_filter = "ok/#";
        yes.max_qos = qos::at_least_once;
        const auto ack = c.subscribe({no, yes});
        ASSERT_EQ(ack.reason_codes.size(), 2u);
        EXPECT_EQ(ack.reason_codes[0],
                  version == v5 ? suback_reason::not_authorized : suback_reason::unspecified_error);
        EXPECT_EQ(ack.reason_codes[1], suback_reason::granted_qos_1);
        c.disconnect();
    }
}

TEST_F(BrokerAcl, EachMessageIsCheckedForReadPerSubscriber) {
    allow("a", "news/#", acl_access::subscribe);
    allow("b", "news/#", acl_access::subscribe);
    allow("a", "news/public", acl_access::read);
    allow("a", "news/secret", acl_access::read);
    allow("b", "news/public", acl_access::read);
    allow("w", "news/public", acl_access::write);
    allow("w", "news/secret", acl_access::write);
    fake_client a(b), bb(b), w(b);
    a.connect(login(v5, "a", "a", "x"));
    bb.connect(login(v3_1_1, "b", "b", "x"));
    w.connect(login(v5, "w", "w", "x"));
    a.subscribe("news/#", qos::at_least_once);
    bb.subscribe("news/#", qos::at_least_once);
    w.publish("news/public", "p", qos::at_least_once);
    w.publish("news/secret", "s", qos::at_least_once);
    EXPECT_EQ(payloads(a.messages()), (strings{"p", "s"}));
    EXPECT_EQ(payloads(bb.messages()), strings{"p"});
}

TEST_F(BrokerAcl, RetainedMessagesOnSubscribeAreCheckedForRead) {
    allow("w", "r/open", acl_access::write);
    allow("w", "r/closed", acl_access::write);
    allow("s", "r/#", acl_access::subscribe);
    allow("s", "r/open", acl_access::read);
    fake_client w(b);
    w.connect(login(v5, "w", "w", "x"));
    const auto retained_before = b.core.retained_count();  // $SYS topics may be retained
    w.publish("r/open", "o", qos::at_most_once, true);
    w.publish("r/closed", "c", qos::at_most_once, true);
    EXPECT_EQ(b.core.retained_count(), retained_before + 2);
    fake_client s(b);
    s.connect(login(v5, "s", "s", "x"));
    s.subscribe("r/#");
    const auto got = s.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].topic, "r/open");
    EXPECT_TRUE(got[0].retain);
}

TEST_F(BrokerAcl, WillIsCheckedForWriteWhenPublished) {
    allow("watcher", "wills/#", acl_access::subscribe);
    allow("watcher", "wills/ok", acl_access::read);
    allow("watcher", "wills/denied", acl_access::read);
    allow("dier", "wills/ok", acl_access::write);
    fake_client watcher(b);
    watcher.connect(login(v5, "watcher", "watcher", "x"));
    watcher.subscribe("wills/#");
    for (const auto* topic : {"wills/denied", "wills/ok"}) {
        auto p = login(v5, "dier", "dier", "x");
        p.will = will(topic, topic);
        fake_client c(b);
        EXPECT_EQ(c.connect(p).reason_code, connack_reason::success);  // not checked at CONNECT
        c.drop();
    }
    EXPECT_EQ(payloads(watcher.messages()), strings{"wills/ok"});
}

TEST_F(BrokerAcl, DelayedWillIsCheckedForWriteWhenPublished) {
    allow("watcher", "wills/#", acl_access::subscribe);
    allow("watcher", "wills/denied", acl_access::read);
    fake_client watcher(b);
    watcher.connect(login(v5, "watcher", "watcher", "x"));
    watcher.subscribe("wills/#");
    auto p = login(v5, "dier", "dier", "x");
    p.will =
        will("wills/denied", "late", qos::at_most_once, props(property_id::will_delay_interval, 2));
    p.properties = props(property_id::session_expiry_interval, 60);
    fake_client c(b);
    c.connect(p);
    c.drop();
    b.advance(3s);
    EXPECT_TRUE(watcher.messages().empty());
}

TEST_F(BrokerAcl, AnonymousClientIsAuthorizedWithoutUserName) {
    allow("", "pub", acl_access::subscribe);
    allow("", "pub", acl_access::read);
    allow("", "pub", acl_access::write);
    fake_client c(b);
    c.connect(v5, "anon");
    EXPECT_EQ(c.subscribe("pub").reason_codes[0], suback_reason::granted_qos_0);
    c.publish("pub", "self");
    EXPECT_EQ(payloads(c.messages()), strings{"self"});
}

}  // namespace
}  // namespace harness::broker::test
