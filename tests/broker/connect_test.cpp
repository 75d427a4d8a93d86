// CONNECT and CONNACK in the broker core (MQTT 3.1.1 and 5.0 sections 3.1, 3.2 and 4.1): the
// first packet, client identifiers, session take-over, clean start, the limits CONNACK
// announces, and refusals.
#include "broker_fixture.hpp"

namespace harness::broker::test {
namespace {

using codec::connack_reason;

TEST(BrokerConnect, FirstPacketNotConnectClosesTheConnection_MQTT_3_1_0_1) {
    test_broker b;
    fake_client c(b);
    c.send(codec::pingreq{});
    EXPECT_TRUE(c.closed());
    EXPECT_TRUE(c.received().empty());  // no CONNACK, no PINGRESP
    EXPECT_EQ(b.core.stats().protocol_errors, 1u);
}

TEST(BrokerConnect, FirstPacketA311PublishIsNotAnsweredWithConnack_MQTT_3_1_0_1) {
    // Before CONNECT the level is unknown: a 3.1.1 PUBLISH does not decode as 5.0, and must
    // still just close the connection rather than produce a CONNACK.
    test_broker b;
    fake_client c(b);
    codec::publish p;
    p.topic = "a/b";
    p.qos = qos::at_least_once;
    p.packet_id = 1;
    p.payload = bytes("xyz");
    c.send_bytes(codec::encode(p, v3_1_1));
    EXPECT_TRUE(c.closed());
    EXPECT_TRUE(c.received().empty());
}

TEST(BrokerConnect, SecondConnectIsAProtocolErrorWithDisconnect0x82_MQTT_3_1_0_2) {
    test_broker b;
    fake_client c(b);
    EXPECT_EQ(c.connect(v5, "c1").reason_code, connack_reason::success);
    codec::connect again;
    again.client_id = "c1";
    c.send(again);
    const auto d = only<codec::disconnect>(c.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::protocol_error);
    EXPECT_TRUE(c.closed());
}

TEST(BrokerConnect, SecondConnectWithAnUnknownProtocolNameGetsProtocolErrorNot0x84) {
    // Found by the broker_session fuzz target: the decode error's own code, 0x84 (Unsupported
    // Protocol Version), is not a DISCONNECT reason code; the DISCONNECT must still decode.
    test_broker b;
    fake_client c(b);
    EXPECT_EQ(c.connect(v5, "a").reason_code, connack_reason::success);
    c.send_bytes({0x10, 0x06, 0x00, 0x03, 'A', 'B', 'C', 0x05});
    const auto d = only<codec::disconnect>(c.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::protocol_error);
    EXPECT_TRUE(c.closed());
}

TEST(BrokerConnect, SecondConnectIn311ClosesWithoutDisconnect_MQTT_3_1_0_2) {
    test_broker b;
    fake_client c(b);
    c.connect(v3_1_1, "c1");
    codec::connect again;
    again.version = v3_1_1;
    again.client_id = "c1";
    c.send(again);
    EXPECT_TRUE(c.closed());
    EXPECT_TRUE(c.received().empty());
}

TEST(BrokerConnect, EmptyClientIdWithCleanSession0IsRejectedWithReturnCode2_MQTT_3_1_3_8) {
    test_broker b;
    fake_client c(b);
    const auto ack = c.connect(v3_1_1, "", false);
    EXPECT_EQ(codec::to_v3(ack.reason_code), codec::connect_return_code::identifier_rejected);
    EXPECT_FALSE(ack.session_present);
    EXPECT_TRUE(c.closed());
    EXPECT_EQ(b.core.session_count(), 0u);
}

TEST(BrokerConnect, EmptyClientIdWithCleanSession1IsAccepted_MQTT_3_1_3_6) {
    test_broker b;
    fake_client c(b);
    EXPECT_EQ(c.connect(v3_1_1, "").reason_code, connack_reason::success);
    EXPECT_FALSE(c.closed());
}

TEST(BrokerConnect, EmptyClientIdGetsAnAssignedClientIdentifier_MQTT_3_2_2_16) {
    test_broker b;
    fake_client c1(b);
    fake_client c2(b);
    const auto a1 = c1.connect(v5, "");
    const auto a2 = c2.connect(v5, "");
    ASSERT_NE(a1.properties.string(property_id::assigned_client_identifier), nullptr);
    ASSERT_NE(a2.properties.string(property_id::assigned_client_identifier), nullptr);
    EXPECT_NE(*a1.properties.string(property_id::assigned_client_identifier),
              *a2.properties.string(property_id::assigned_client_identifier));
    EXPECT_EQ(b.core.session_count(), 2u);
    // A client that chose its identifier gets none.
    fake_client c3(b);
    EXPECT_FALSE(
        c3.connect(v5, "mine").properties.contains(property_id::assigned_client_identifier));
}

TEST(BrokerConnect, SessionTakeOverClosesOldConnectionWith0x8E_MQTT_3_1_4_3) {
    test_broker b;
    fake_client old(b);
    old.connect(v5, "same");
    fake_client fresh(b);
    EXPECT_EQ(fresh.connect(v5, "same").reason_code, connack_reason::success);
    EXPECT_TRUE(old.closed());
    const auto d = only<codec::disconnect>(old.received());
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].reason_code, disconnect_reason::session_taken_over);
    EXPECT_FALSE(fresh.closed());
    EXPECT_EQ(b.core.stats().clients_connected, 1u);
    EXPECT_EQ(b.core.session_count(), 1u);
}

TEST(BrokerConnect, SessionTakeOverIn311ClosesOldConnection_MQTT_3_1_4_2) {
    test_broker b;
    fake_client old(b);
    old.connect(v3_1_1, "same", false);
    old.subscribe("t", qos::at_least_once);
    fake_client fresh(b);
    EXPECT_TRUE(fresh.connect(v3_1_1, "same", false).session_present);
    EXPECT_TRUE(old.closed());
    EXPECT_TRUE(old.received().empty());  // 3.1.1 has no DISCONNECT from the server
    fake_client pub(b);
    pub.connect(v3_1_1, "pub");
    pub.publish("t", "hello", qos::at_least_once);
    EXPECT_EQ(payloads(fresh.messages()), std::vector<std::string>{"hello"});
}

TEST(BrokerConnect, UnsupportedProtocolLevelGetsReturnCode1AndClose_MQTT_3_1_2_2) {
    for (const std::uint8_t level : {2, 6, 0x83}) {
        SCOPED_TRACE(int{level});
        test_broker b;
        fake_client c(b);
        codec::connect p;
        p.version = v3_1_1;
        p.client_id = "x";
        auto data = codec::encode(p, v3_1_1);
        ASSERT_EQ(data[8], 4);  // 0x10, length, "\0\4MQTT", level
        data[8] = level;
        c.send_bytes(data);
        std::vector<std::uint8_t> out;
        ASSERT_TRUE(b.core.take_output(c.id(), out));
        // The 3.1.1 form, which every level's client can read: return code 1.
        EXPECT_EQ(out, (std::vector<std::uint8_t>{0x20, 0x02, 0x00, 0x01}));
        EXPECT_TRUE(c.closed());
        EXPECT_EQ(b.core.session_count(), 0u);
    }
}

TEST(BrokerConnect, MalformedConnectIsAnsweredAtItsOwnLevel_MQTT_3_1_2_3) {
    for (const auto version : {v3_1_1, v5}) {
        SCOPED_TRACE(static_cast<int>(version));
        test_broker b;
        fake_client c(b);
        codec::connect p;
        p.version = version;
        p.client_id = "x";
        auto data = codec::encode(p, version);
        data[9] |= 0x01;  // the reserved connect flag
        c.send_bytes(data);
        std::vector<std::uint8_t> out;
        b.core.take_output(c.id(), out);
        if (version == v5) {  // 5.0 may answer CONNACK 0x81 ([MQTT-4.13.1-1])
            const auto ack = codec::decode(out, v5);
            ASSERT_TRUE(ack);
            ASSERT_TRUE(std::holds_alternative<codec::connack>(*ack));
            EXPECT_EQ(std::get<codec::connack>(*ack).reason_code, connack_reason::malformed_packet);
        } else {  // 3.1.1 has no return code for it: the connection just closes
            EXPECT_TRUE(out.empty());
        }
        EXPECT_TRUE(c.closed());
    }
}

TEST(BrokerConnect, Mqtt31ClientConnectsPublishesAndSubscribes) {
    test_broker b;
    fake_client sub(b);
    EXPECT_EQ(sub.connect(v3_1, "old-sub").reason_code, connack_reason::success);
    EXPECT_EQ(sub.subscribe("t/+", qos::exactly_once).reason_codes,
              std::vector<codec::suback_reason>{codec::suback_reason::granted_qos_2});
    fake_client pub(b);
    pub.connect(v3_1, "old-pub");
    const auto id = pub.publish("t/1", "from 3.1", qos::at_least_once);
    EXPECT_EQ(pub.expect<codec::puback>().packet_id, id);
    const auto got = sub.messages();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].topic, "t/1");
    EXPECT_EQ(got[0].qos, qos::at_least_once);
}

TEST(BrokerConnect, WillQosAboveMaximumQosIsRefusedWith0x9B_MQTT_3_2_2_12) {
    broker_options o;
    o.maximum_qos = qos::at_least_once;
    test_broker b(o);
    fake_client c(b);
    const auto ack = c.connect(v5, "w", true, {}, will("w/t", "bye", qos::exactly_once));
    EXPECT_EQ(ack.reason_code, connack_reason::qos_not_supported);
    EXPECT_TRUE(c.closed());
    EXPECT_EQ(b.core.session_count(), 0u);
}

TEST(BrokerConnect, RetainedWillWithoutRetainAvailableIsRefusedWith0x9A_MQTT_3_2_2_13) {
    broker_options o;
    o.retain_available = false;
    test_broker b(o);
    fake_client c(b);
    auto w = will("w/t", "bye");
    w.retain = true;
    EXPECT_EQ(c.connect(v5, "w", true, {}, w).reason_code, connack_reason::retain_not_supported);
    EXPECT_TRUE(c.closed());
}

TEST(BrokerConnect, AuthenticationMethodIsRefusedWith0x8C_MQTT_4_12_0_1) {
    test_broker b;
    fake_client c(b);
    const auto ack = c.connect(v5, "a", true,
                               {{property_id::authentication_method, std::string("SCRAM-SHA-1")}});
    EXPECT_EQ(ack.reason_code, connack_reason::bad_authentication_method);
    EXPECT_TRUE(c.closed());
    EXPECT_EQ(b.core.session_count(), 0u);
}

TEST(BrokerConnect, ReasonStringOnlyWhenProblemInformationRequested_MQTT_3_1_2_29) {
    const auto refusal = [](property_list props) {
        test_broker b;
        fake_client c(b);
        props.add(property_id::authentication_method, std::string("X"));
        return c.connect(v5, "a", true, props);
    };
    EXPECT_TRUE(refusal({}).properties.contains(property_id::reason_string));
    EXPECT_TRUE(refusal(props(property_id::request_problem_information, 1u))
                    .properties.contains(property_id::reason_string));
    EXPECT_FALSE(refusal(props(property_id::request_problem_information, 0u))
                     .properties.contains(property_id::reason_string));

    // The same for the DISCONNECT of a protocol error.
    const auto error = [](property_list props) {
        test_broker b;
        fake_client c(b);
        c.connect(v5, "a", true, std::move(props));
        c.send(codec::pingresp{});
        const auto d = only<codec::disconnect>(c.received());
        return d.empty() ? codec::disconnect{} : d[0];
    };
    const auto with = error({});
    EXPECT_EQ(with.reason_code, disconnect_reason::protocol_error);
    EXPECT_TRUE(with.properties.contains(property_id::reason_string));
    const auto without = error(props(property_id::request_problem_information, 0u));
    EXPECT_EQ(without.reason_code, disconnect_reason::protocol_error);
    EXPECT_FALSE(without.properties.contains(property_id::reason_string));
}

}  // namespace
}  // namespace harness::broker::test
