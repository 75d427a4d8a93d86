// Malformed and illegal input after CONNECT (MQTT 5.0 section 4.13, 3.1.1 section 4.8): the
// connection ends with DISCONNECT 0x81 or 0x82 (5.0) or just closes (3.1.1), nothing crashes,
// and the other clients carry on.
#include "broker_fixture.hpp"

#include <random>

namespace harness::broker::test {
namespace {

using raw = std::vector<std::uint8_t>;

/// A connected v5 client "bad", and "sub"/"pub" exchanging messages on "t".
struct bystanders {
    explicit bystanders(protocol_version version = v5) {
        bad.connect(version, "bad", true, {}, will("wills/bad", "bad is gone"));
        sub.connect(v5, "sub");
        sub.subscribe("t", qos::at_least_once);
        sub.subscribe("wills/#");
        pub.connect(v5, "pub");
    }

    /// What "bad" got after sending `data`: its DISCONNECT reason (nullopt: none).
    std::optional<disconnect_reason> send(const raw& data) {
        bad.send_bytes(data);
        const auto d = only<codec::disconnect>(bad.received());
        if (d.empty())
            return std::nullopt;
        return d.back().reason_code;
    }

    /// The others still exchange messages.
    void still_flowing() {
        pub.publish("t", "still here", qos::at_least_once);
        EXPECT_EQ(pub.expect<codec::puback>().reason_code, codec::puback_reason::success);
        const auto got = sub.messages();
        ASSERT_FALSE(got.empty());
        EXPECT_EQ(text(got.back().payload), "still here");
        sub.send(codec::puback{got.back().packet_id, {}, {}});
    }

    test_broker b;
    fake_client bad{b};
    fake_client sub{b};
    fake_client pub{b};
};

TEST(BrokerMalformed, InvalidUtf8TopicIsDisconnect0x81_MQTT_1_5_4_1) {
    bystanders s;
    EXPECT_EQ(s.send({0x30, 0x05, 0x00, 0x02, 0xC3, 0x28, 0x00}),
              disconnect_reason::malformed_packet);
    EXPECT_TRUE(s.bad.closed());
    EXPECT_EQ(s.b.core.stats().protocol_errors, 1u);
    // The will of a connection closed for a protocol error is published ([MQTT-3.1.2-8]).
    EXPECT_EQ(payloads(s.sub.messages()), std::vector<std::string>{"bad is gone"});
    s.still_flowing();
}

TEST(BrokerMalformed, ReservedPacketTypeAndFlagsAreDisconnect0x81_MQTT_2_1_3_1) {
    for (const raw& data : {raw{0x00, 0x00},                             // packet type 0
                            raw{0x80, 0x02, 0x00, 0x01},                 // SUBSCRIBE with flags 0
                            raw{0x36, 0x04, 0x00, 0x01, 't', 0x00},      // QoS 3
                            raw{0xC1, 0x00},                             // PINGREQ with a flag
                            raw{0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}}) {  // length of 5 bytes
        SCOPED_TRACE(::testing::PrintToString(data));
        bystanders s;
        EXPECT_EQ(s.send(data), disconnect_reason::malformed_packet);
        EXPECT_TRUE(s.bad.closed());
        s.still_flowing();
    }
}

TEST(BrokerMalformed, PacketIdentifier0IsDisconnect0x82_MQTT_2_2_1_3) {
    bystanders s;
    EXPECT_EQ(s.send({0x32, 0x06, 0x00, 0x01, 't', 0x00, 0x00, 0x00}),
              disconnect_reason::protocol_error);
    EXPECT_TRUE(s.bad.closed());
    s.still_flowing();
}

TEST(BrokerMalformed, ServerOnlyPacketsFromAClientAreProtocolErrors_MQTT_4_13_1_1) {
    const std::vector<codec::packet> server_only{
        codec::connack{},
        codec::suback{1, {}, {codec::suback_reason::granted_qos_0}},
        codec::unsuback{1, {}, {codec::unsuback_reason::success}},
        codec::pingresp{},
    };
    for (const auto& p : server_only) {
        SCOPED_TRACE(codec::to_string(codec::type_of(p)));
        bystanders s;
        EXPECT_EQ(s.send(codec::encode(p, v5)), disconnect_reason::protocol_error);
        EXPECT_TRUE(s.bad.closed());
        s.still_flowing();
    }
}

TEST(BrokerMalformed, AuthWithoutAgreedMethodIsProtocolError_MQTT_4_12_0_1) {
    bystanders s;
    codec::auth a;
    a.reason_code = codec::auth_reason::continue_authentication;
    a.properties.add(property_id::authentication_method, std::string("X"));
    EXPECT_EQ(s.send(codec::encode(a, v5)), disconnect_reason::protocol_error);
    EXPECT_TRUE(s.bad.closed());
}

TEST(BrokerMalformed, V311MalformedPacketClosesWithoutDisconnect_MQTT_4_8_0_1) {
    bystanders s(v3_1_1);
    EXPECT_EQ(s.send({0x30, 0x04, 0x00, 0x02, 0xC3, 0x28}), std::nullopt);
    EXPECT_TRUE(s.bad.closed());
    s.still_flowing();
    bystanders t(v3_1_1);
    EXPECT_EQ(t.send(codec::encode(codec::pingresp{}, v3_1_1)), std::nullopt);
    EXPECT_TRUE(t.bad.closed());
}

TEST(BrokerMalformed, BytesSplitAnywhereAreReassembled) {
    bystanders s;
    codec::publish p;
    p.topic = "t";
    p.qos = qos::at_least_once;
    p.packet_id = 3;
    p.payload = bytes("split");
    const auto data = codec::encode(p, v5);
    for (const auto byte : data)
        s.bad.send_bytes({byte});
    EXPECT_EQ(s.bad.expect<codec::puback>().packet_id, 3);
    EXPECT_EQ(payloads(s.sub.messages()), std::vector<std::string>{"split"});
}

TEST(BrokerMalformed, RandomBytesNeverCrashAndOthersCarryOn) {
    std::mt19937 rng(20240601);
    for (int round = 0; round < 300; ++round) {
        bystanders s(round % 2 ? v5 : v3_1_1);
        raw data(1 + rng() % 64);
        for (auto& byte : data)
            byte = static_cast<std::uint8_t>(rng());
        data[0] = static_cast<std::uint8_t>((data[0] & 0xF0) == 0x10 ? 0x20 : data[0]);
        s.bad.send_bytes(data);
        s.bad.received();
        if (s.bad.closed())
            continue;
        s.still_flowing();
        if (::testing::Test::HasFailure())
            break;
    }
}

}  // namespace
}  // namespace harness::broker::test
