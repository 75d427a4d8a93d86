// Bad input on a raw socket: after a proper MQTT 5.0 CONNECT, each packet the codec rejects (the
// vectors of tests/codec/malformed_test.cpp, written as a client would send them) and each packet
// a client must not send gets DISCONNECT with the reason the specification asks for, then the
// socket closes; meanwhile numbered messages keep flowing between two other clients. A 3.1.1
// connection, which has no server DISCONNECT, is just closed.
#include <gtest/gtest.h>

#include "harness/broker/server.hpp"
#include "peers.hpp"
#include "raw_connection.hpp"
#include "steady_traffic.hpp"

namespace harness::broker_interop {
namespace {

using codec::disconnect_reason;

constexpr auto malformed = disconnect_reason::malformed_packet;
constexpr auto protocol_error = disconnect_reason::protocol_error;

struct bad_input {
    const char* name;
    const char* bytes;  // hex, 'text' in quotes
    disconnect_reason reason;
};

// The broker of these tests refuses packets above 8 KiB and allows 2 unreleased QoS 2 messages.
constexpr std::uint32_t maximum_packet_size = 8192;
constexpr std::uint16_t receive_maximum = 2;

const bad_input cases[] = {
    // Fixed header.
    {"PubackReservedFlags", "41 02 00 01", malformed},
    {"PubrelFlagsNot0010", "60 02 00 01", malformed},
    {"SubscribeFlagsNot0010", "80 07 00 01 00 00 01 't' 00", malformed},
    {"UnsubscribeFlagsNot0010", "a0 06 00 01 00 00 01 't'", malformed},
    {"DisconnectFlags", "e1 00", malformed},
    {"AuthFlags", "f1 00", malformed},
    {"PacketType0", "00 00", malformed},
    {"RemainingLengthOfFiveBytes", "30 ff ff ff ff 01", malformed},
    {"NonMinimalRemainingLength", "c0 80 00", malformed},
    {"PingreqWithBody", "c0 01 00", malformed},
    // PUBLISH.
    {"NonMinimalPropertyLength", "30 05 00 01 't' 80 00", malformed},
    {"IllFormedUtf8Topic", "30 05 00 02 c3 28 00", malformed},
    {"SurrogateInTopic", "30 06 00 03 ed a0 80 00", malformed},
    {"NullCharacterInTopic", "30 06 00 03 61 00 62 00", malformed},
    {"PublishQos3", "36 06 00 01 't' 00 01 00", malformed},
    {"DupOnQos0", "38 04 00 01 't' 00", malformed},
    {"WildcardInTopicName", "30 06 00 03 'a/#' 00", malformed},
    {"UnknownProperty", "30 06 00 01 't' 02 05 00", malformed},
    {"ResponseTopicWithWildcard", "30 08 00 01 't' 04 08 00 01 '#'", malformed},
    {"PropertyLengthPastTheEnd", "30 05 00 01 't' 05 01", malformed},
    {"PropertyValuePastPropertyLength", "30 09 00 01 't' 02 03 00 02 'ab'", malformed},
    {"StringLengthPastTheEnd", "30 05 00 09 'abc'", malformed},
    {"EmptyTopicWithoutAlias", "30 03 00 00 00", protocol_error},
    {"PublishPacketIdentifierZero", "32 06 00 01 't' 00 00 00", protocol_error},
    {"DuplicateProperty", "30 0c 00 01 't' 08 03 00 01 'a' 03 00 01 'b'", protocol_error},
    {"TopicAliasZero", "30 07 00 01 't' 03 23 00 00", disconnect_reason::topic_alias_invalid},
    {"TopicAliasAboveMaximum", "30 07 00 01 't' 03 23 00 0b",
     disconnect_reason::topic_alias_invalid},
    {"TopicAliasNeverSet", "30 06 00 00 03 23 00 01", protocol_error},
    {"PacketTooLarge", "30 80 40", disconnect_reason::packet_too_large},  // 8195 bytes
    {"ReceiveMaximumExceeded",
     "34 06 00 01 't' 00 01 00 34 06 00 01 't' 00 02 00 34 06 00 01 't' 00 03 00",
     disconnect_reason::receive_maximum_exceeded},
    // Acknowledgements.
    {"PubackPacketIdentifierZero", "40 02 00 00", protocol_error},
    {"PubackReasonOutsideTable", "40 03 00 01 05", protocol_error},
    {"PubrelReasonOutsideTable", "62 03 00 01 10", protocol_error},
    // SUBSCRIBE and UNSUBSCRIBE.
    {"EmptySubscribe", "82 03 00 01 00", protocol_error},
    {"SubscribeReservedOptionBits", "82 07 00 01 00 00 01 't' c0", malformed},
    {"RetainHandling3", "82 07 00 01 00 00 01 't' 30", protocol_error},
    {"SubscriptionQos3", "82 07 00 01 00 00 01 't' 03", protocol_error},
    {"NoLocalOnSharedSubscription", "82 10 00 01 00 00 0a '$share/g/t' 04", protocol_error},
    {"EmptyTopicFilter", "82 06 00 01 00 00 00 00", malformed},
    {"HashNotLast", "82 0b 00 01 00 00 05 'a/#/b' 00", malformed},
    {"SharedSubscriptionWithoutFilter", "82 0e 00 01 00 00 08 '$share/g' 00", malformed},
    {"SubscriptionIdentifierTwice", "82 0b 00 01 04 0b 01 0b 02 00 01 't' 00", protocol_error},
    {"SubscriptionIdentifierZero", "82 09 00 01 02 0b 00 00 01 't' 00", protocol_error},
    {"EmptyUnsubscribe", "a2 03 00 01 00", protocol_error},
    // DISCONNECT and AUTH.
    {"DisconnectReasonOutsideTable", "e0 01 01", protocol_error},
    {"DisconnectSetsExpiryAfterZero", "e0 07 00 05 11 00 00 00 3c", protocol_error},
    {"AuthTruncated", "f0 01 18", malformed},
    {"AuthWithoutMethod", "f0 00", protocol_error},
    {"AuthReasonOutsideTable", "f0 06 01 04 15 00 01 'X'", protocol_error},
    {"AuthWithoutMethodAgreedInConnect", "f0 06 18 04 15 00 01 'X'", protocol_error},
    // Packets only a server sends, and a second CONNECT.
    {"SecondConnect", "10 0d 00 04 'MQTT' 05 02 00 3c 00 00 00", protocol_error},
    {"ConnackFromClient", "20 03 00 00 00", protocol_error},
    {"SubackFromClient", "90 04 00 01 00 00", protocol_error},
    {"UnsubackFromClient", "b0 04 00 01 00 00", protocol_error},
    {"PingrespFromClient", "d0 00", protocol_error},
};

class BadInput : public ::testing::TestWithParam<bad_input> {
  protected:
    static broker::server_options options() {
        broker::server_options o;
        o.broker.maximum_packet_size = maximum_packet_size;
        o.broker.receive_maximum = receive_maximum;
        return o;
    }

    void TearDown() override { EXPECT_EQ(traffic.stop(), "") << "the other clients suffered"; }

    broker::embedded_broker broker{options()};
    steady_traffic traffic{broker.port()};
};

TEST_P(BadInput, V5ConnectionGetsDisconnectWithItsReasonAndIsClosed) {
    const auto& c = GetParam();
    raw_connection raw(broker.port());
    ASSERT_NO_FATAL_FAILURE(raw.handshake(codec::protocol_version::v5, "bad-input"));
    const auto before = traffic.received();
    ASSERT_TRUE(raw.send(bytes_of(c.bytes))) << raw.error();
    ASSERT_TRUE(raw.wait_closed(step)) << "the broker did not close the connection";
    ASSERT_TRUE(raw.error().empty() || raw.error().starts_with("recv")) << raw.error();
    const auto& got = raw.received();
    ASSERT_FALSE(got.empty()) << "closed without DISCONNECT";
    // Acknowledgements of what was valid may come first (PUBREC in ReceiveMaximumExceeded).
    for (std::size_t k = 0; k + 1 < got.size(); ++k) {
        EXPECT_FALSE(std::holds_alternative<codec::disconnect>(got[k]))
            << "DISCONNECT before the last packet";
    }
    const auto* d = std::get_if<codec::disconnect>(&got.back());
    ASSERT_NE(d, nullptr) << "the last packet is a "
                          << codec::to_string(codec::type_of(got.back()));
    EXPECT_EQ(static_cast<int>(d->reason_code), static_cast<int>(c.reason))
        << "reason string: "
        << (d->properties.string(codec::property_id::reason_string)
                ? *d->properties.string(codec::property_id::reason_string)
                : "(none)");
    EXPECT_TRUE(traffic.wait_beyond(before, step)) << "messages stopped flowing";
}

INSTANTIATE_TEST_SUITE_P(Codec, BadInput, ::testing::ValuesIn(cases),
                         [](const auto& info) { return std::string(info.param.name); });

class BadInputBeforeV5 : public ::testing::Test {
  protected:
    void TearDown() override { EXPECT_EQ(traffic.stop(), "") << "the other clients suffered"; }

    broker::embedded_broker broker;
    steady_traffic traffic{broker.port()};
};

TEST_F(BadInputBeforeV5, V311ConnectionSendingGarbageIsClosedWithoutDisconnect) {
    // Each is a whole frame or a broken fixed header, so the broker need not wait for more: a
    // five-byte remaining length, reserved types 0 and 15, an empty topic, and an HTTP request
    // (0x47: a PUBACK with flags 7, of 69 bytes).
    const std::string http =
        "'GET / HTTP/1.1' 0d 0a 'Host: 127.0.0.1' 0d 0a 'User-Agent: curl/7.88.1' 0d 0a "
        "'Accept: */*' 0d 0a 0d 0a";
    for (const std::string& garbage : {std::string("ff ff ff ff ff ff"), std::string("00 00"),
                                       std::string("f0 00"), std::string("30 02 00 00"), http}) {
        raw_connection raw(broker.port());
        ASSERT_NO_FATAL_FAILURE(raw.handshake(codec::protocol_version::v3_1_1, "garbage"));
        const auto before = traffic.received();
        const auto after_connack = raw.bytes_read();
        ASSERT_TRUE(raw.send(bytes_of(garbage))) << raw.error();
        ASSERT_TRUE(raw.wait_closed(step)) << garbage << ": the broker did not close";
        EXPECT_TRUE(raw.received().empty()) << garbage << ": the broker answered";
        EXPECT_EQ(raw.bytes_read(), after_connack) << garbage << ": the broker answered";
        EXPECT_TRUE(traffic.wait_beyond(before, step)) << "messages stopped flowing";
    }
}

TEST_F(BadInputBeforeV5, SilencePastKeepAliveGetsDisconnectKeepAliveTimeout) {
    raw_connection raw(broker.port());
    ASSERT_NO_FATAL_FAILURE(raw.handshake(codec::protocol_version::v5, "silent", 1));
    const auto opened = std::chrono::steady_clock::now();
    ASSERT_TRUE(raw.wait_closed(step)) << "the broker did not close a silent connection";
    // 1.5 x the keep alive ([MQTT-3.1.2-22]), checked by a sweep once a second.
    EXPECT_GE(std::chrono::steady_clock::now() - opened, std::chrono::milliseconds(1400));
    ASSERT_EQ(raw.received().size(), 1u);
    const auto* d = std::get_if<codec::disconnect>(&raw.received()[0]);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->reason_code, disconnect_reason::keep_alive_timeout);
}

TEST_F(BadInputBeforeV5, FirstPacketOtherThanConnectIsClosedWithoutAnswer) {
    for (const char* first : {"c0 00", "30 05 00 01 't' 00 'x'", "e0 00"}) {
        raw_connection raw(broker.port());
        ASSERT_TRUE(raw.send(bytes_of(first))) << raw.error();
        ASSERT_TRUE(raw.wait_closed(step)) << first << ": the broker did not close";
        EXPECT_EQ(raw.bytes_read(), 0u) << first << ": the broker answered";
    }
}

}  // namespace
}  // namespace harness::broker_interop
