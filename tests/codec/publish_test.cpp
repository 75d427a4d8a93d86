// PUBLISH and its acknowledgements, with bytes from the specifications.
#include "test_support.hpp"

namespace harness::codec {
namespace {

using namespace test;
constexpr auto v311 = protocol_version::v3_1_1;
constexpr auto v5 = protocol_version::v5;

TEST(Publish, V311Qos0HasNoPacketIdentifier) {
    publish p;
    p.topic = "a/b";
    p.payload = {'h', 'e', 'l', 'l', 'o'};
    expect_wire_form(p, v311, "30 0a 00 03 'a/b' 'hello'");
}

TEST(Publish, V311Qos1CarriesDupRetainAndPacketIdentifier) {
    publish p;
    p.dup = true;
    p.qos = qos::at_least_once;
    p.retain = true;
    p.topic = "a/b";
    p.packet_id = 7;
    p.payload = {'h', 'e', 'l', 'l', 'o'};
    expect_wire_form(p, v311, "3b 0c 00 03 'a/b' 00 07 'hello'");
}

TEST(Publish, V5Qos2PropertiesFollowPacketIdentifier) {
    publish p;
    p.qos = qos::exactly_once;
    p.topic = "a/b";
    p.packet_id = 1;
    p.properties.add(property_id::message_expiry_interval, 60u);
    p.properties.add(property_id::content_type, std::string("text"));
    p.payload = {'h', 'i'};
    expect_wire_form(p, v5, "34 16 00 03 'a/b' 00 01 0c 02 00 00 00 3c 03 00 04 'text' 'hi'");
}

TEST(Publish, EmptyPayloadIsValid) {
    publish p;
    p.topic = "t";
    expect_wire_form(p, v5, "30 04 00 01 't' 00");
}

TEST(Publish, V5EmptyTopicIsAllowedWithTopicAlias) {
    publish p;
    p.properties.add(property_id::topic_alias, 1u);
    expect_wire_form(p, v5, "30 06 00 00 03 23 00 01");
}

TEST(Publish, V5SubscriptionIdentifierMayRepeat) {
    const auto p = decode_as<publish>("30 08 00 01 't' 04 0b 01 0b 02", v5);
    EXPECT_EQ(p.properties.subscription_identifiers(), (std::vector<std::uint32_t>{1, 2}));
}

TEST(Publish, LargePayloadUsesMultiByteRemainingLength) {
    publish p;
    p.topic = "t";
    p.payload.assign(200, 0xAB);
    const auto encoded = encode(p, v311);
    ASSERT_EQ(encoded.size(), 3u + 3u + 200u);
    EXPECT_EQ(encoded[1], 0xCB);  // 203 = 0xCB 0x01
    EXPECT_EQ(encoded[2], 0x01);
    auto decoded = decode(encoded, v311);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(std::get<publish>(*decoded), p);
}

TEST(Acks, V311AcknowledgementsAreJustThePacketIdentifier) {
    expect_wire_form(puback{1, {}, {}}, v311, "40 02 00 01");
    expect_wire_form(pubrec{2, {}, {}}, v311, "50 02 00 02");
    expect_wire_form(pubrel{3, {}, {}}, v311, "62 02 00 03");
    expect_wire_form(pubcomp{4, {}, {}}, v311, "70 02 00 04");
}

TEST(Acks, V5SuccessWithoutPropertiesOmitsReasonCode) {
    expect_wire_form(puback{1, {}, {}}, v5, "40 02 00 01");
    expect_wire_form(pubcomp{4, {}, {}}, v5, "70 02 00 04");
}

TEST(Acks, V5ReasonCodeWithoutPropertyLength) {
    expect_wire_form(puback{1, puback_reason::no_matching_subscribers, {}}, v5, "40 03 00 01 10");
    expect_wire_form(pubrel{3, pubrel_reason::packet_identifier_not_found, {}}, v5,
                     "62 03 00 03 92");
    // A reason code followed by property length 0 is the same packet.
    EXPECT_EQ(decode_as<pubrec>("50 04 00 02 97 00", v5).reason_code,
              pubrec_reason::quota_exceeded);
}

TEST(Acks, V5ReasonCodeWithReasonString) {
    puback p{1, puback_reason::not_authorized, {}};
    p.properties.add(property_id::reason_string, std::string("no"));
    expect_wire_form(p, v5, "40 09 00 01 87 05 1f 00 02 'no'");
}

}  // namespace
}  // namespace harness::codec

namespace harness::codec {
namespace {

bool decode_whole_into(std::string_view hex_text, packet& out, decode_error& error) {
    frame_reader reader;
    reader.feed(test::bytes(hex_text));
    auto f = reader.next();
    EXPECT_TRUE(f && *f);
    return decode_body(**f, protocol_version::v5, out, error);
}

TEST(DecodeInto, ReusedPublishKeepsNothingOfThePreviousPacket) {
    packet out;
    decode_error error;
    frame_reader reader;
    reader.feed(test::bytes("32 15 00 03 'a/b' 00 07 06 03 00 01 'j' 01 01 'payload'"));
    auto f = reader.next();
    ASSERT_TRUE(f && *f);
    ASSERT_TRUE(decode_body(**f, protocol_version::v5, out, error)) << error.message;
    EXPECT_EQ(std::get<publish>(out).packet_id, 7);
    EXPECT_EQ(std::get<publish>(out).properties.size(), 2u);

    const auto second = test::bytes("30 05 00 01 't' 00 'x'");
    reader.feed(second);
    f = reader.next();
    ASSERT_TRUE(f && *f);
    ASSERT_TRUE(decode_body(**f, protocol_version::v5, out, error)) << error.message;
    publish expected;
    expected.topic = "t";
    expected.payload = {'x'};
    EXPECT_EQ(std::get<publish>(out), expected);
}

TEST(DecodeInto, ADifferentTypeReplacesThePacket) {
    packet out = publish{false, qos::at_least_once, true, "t", 3, {}, {1}};
    decode_error error;
    ASSERT_TRUE(decode_whole_into("c0 00", out, error));
    EXPECT_TRUE(std::holds_alternative<pingreq>(out));
}

TEST(DecodeInto, FailureReportsTheError) {
    packet out;
    decode_error error;
    EXPECT_FALSE(decode_whole_into("36 05 00 01 't' 00 01", out, error));
    EXPECT_EQ(error.code, make_error_code(codec_errc::invalid_qos));
}

}  // namespace
}  // namespace harness::codec
