// What the core does with what a listener tells it of a connection: per-listener access rules
// (Mosquitto's per_listener_settings), the TLS client certificate's identity as the user name
// (use_identity_as_username), and the payload limit (message_size_limit).
#include <gtest/gtest.h>

#include "broker_fixture.hpp"

namespace harness::broker::test {
namespace {

using codec::connack_reason;
using codec::puback_reason;
using codec::pubrec_reason;
using strings = std::vector<std::string>;

connection_info on_listener(std::uint16_t listener,
                            std::optional<std::string> identity = std::nullopt) {
    connection_info info;
    info.remote = "listener-" + std::to_string(listener);
    info.listener = listener;
    info.certificate_identity = std::move(identity);
    return info;
}

/// Listener 0 open to anyone; listener 1 for "alice" only, who may write only under alice/.
broker_options two_listeners() {
    broker_options o;
    access_rules open_rules;
    access_rules closed_rules;
    closed_rules.allow_anonymous = false;
    closed_rules.authenticate = [](std::string_view user, std::string_view password) {
        return user == "alice" && password == "secret";
    };
    closed_rules.authorize = [](std::string_view, std::optional<std::string_view> user,
                                std::string_view topic, acl_access access) {
        return access != acl_access::write || (user && topic.starts_with(std::string(*user) + "/"));
    };
    o.listener_access = {open_rules, closed_rules};
    return o;
}

TEST(ListenerAccess, EachListenerAppliesItsOwnRules) {
    test_broker b(two_listeners());
    fake_client anonymous_on_open(b, on_listener(0));
    EXPECT_EQ(anonymous_on_open.connect(login(v5, "a0", std::nullopt, std::nullopt)).reason_code,
              connack_reason::success);
    fake_client anonymous_on_closed(b, on_listener(1));
    EXPECT_EQ(anonymous_on_closed.connect(login(v5, "a1", std::nullopt, std::nullopt)).reason_code,
              connack_reason::not_authorized);
    fake_client alice(b, on_listener(1));
    EXPECT_EQ(alice.connect(login(v5, "alice", "alice", "secret")).reason_code,
              connack_reason::success);
    // The ACL of listener 1 follows alice's session: write only under alice/.
    alice.publish("bob/x", "no", qos::at_least_once);
    EXPECT_EQ(alice.expect<codec::puback>().reason_code, puback_reason::not_authorized);
    // Listener 0 has no ACL.
    anonymous_on_open.publish("bob/x", "yes", qos::at_least_once);
    EXPECT_NE(anonymous_on_open.expect<codec::puback>().reason_code, puback_reason::not_authorized);
}

TEST(ListenerAccess, ListenersBeyondTheListFollowTheGlobalRules) {
    auto o = two_listeners();
    o.access.allow_anonymous = false;
    test_broker b(o);
    fake_client c(b, on_listener(2));
    EXPECT_EQ(c.connect(login(v5, "a2", std::nullopt, std::nullopt)).reason_code,
              connack_reason::not_authorized);
}

TEST(CertificateIdentity, ReplacesTheUserNameAndSkipsThePasswordCheck) {
    auto o = two_listeners();
    test_broker b(o);
    // No password, a different user name: the certificate says "alice".
    fake_client c(b, on_listener(1, "alice"));
    EXPECT_EQ(c.connect(login(v5, "cert", "mallory", std::nullopt)).reason_code,
              connack_reason::success);
    c.publish("alice/x", "mine", qos::at_least_once);
    EXPECT_NE(c.expect<codec::puback>().reason_code, puback_reason::not_authorized);
    c.publish("mallory/x", "not mine", qos::at_least_once);
    EXPECT_EQ(c.expect<codec::puback>().reason_code, puback_reason::not_authorized);
}

TEST(CertificateIdentity, ACertificateWithoutANameIsRefused) {
    test_broker b;
    for (const auto version : {v3_1_1, v5}) {
        fake_client c(b, on_listener(0, ""));
        EXPECT_EQ(c.connect(login(version, "nameless", "someone", "x")).reason_code,
                  connack_reason::not_authorized);
        EXPECT_TRUE(c.closed());
    }
}

TEST(MessageSizeLimit, LargerPayloadIsAcknowledgedWithAnErrorAndDropped) {
    broker_options o;
    o.message_size_limit = 4;
    test_broker b(o);
    fake_client reader(b);
    reader.connect(v5, "reader");
    reader.subscribe("t", qos::exactly_once);
    for (const auto version : {v3_1_1, v5}) {
        fake_client c(b);
        c.connect(version, "writer");
        c.publish("t", "12345", qos::at_least_once);
        // 3.1.1 has no reason codes: a plain PUBACK, as Mosquitto. 5.0: 0x83 (Mosquitto's 0x95
        // is not in the PUBACK table).
        EXPECT_EQ(
            c.expect<codec::puback>().reason_code,
            version == v5 ? puback_reason::implementation_specific_error : puback_reason::success);
        c.publish("t", "12345", qos::exactly_once);
        EXPECT_EQ(
            c.expect<codec::pubrec>().reason_code,
            version == v5 ? pubrec_reason::implementation_specific_error : pubrec_reason::success);
        c.publish("t", "1234", qos::at_most_once);  // at the limit: delivered
        EXPECT_FALSE(c.closed());
        c.disconnect();
    }
    EXPECT_EQ(payloads(reader.messages()), (strings{"1234", "1234"}));
}

}  // namespace
}  // namespace harness::broker::test
