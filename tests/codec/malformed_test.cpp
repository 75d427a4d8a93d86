// One test per validation rule, named after the normative statement it pins (3.1.1 id first
// where the versions differ). Each checks the error, the reason code the spec asks for, and
// where useful the byte offset.
#include "test_support.hpp"

namespace harness::codec {
namespace {

using namespace test;
constexpr auto v311 = protocol_version::v3_1_1;
constexpr auto v5 = protocol_version::v5;
constexpr auto malformed = reason_code::malformed_packet;
constexpr auto protocol_error = reason_code::protocol_error;

void expect_rejected(std::string_view hex_text, protocol_version v, codec_errc code,
                     reason_code reason) {
    const decode_error e = decode_error_of(hex_text, v);
    EXPECT_EQ(e.code, make_error_code(code)) << hex_text << ": " << e.message;
    EXPECT_EQ(e.reason(), reason) << hex_text;
    EXPECT_FALSE(e.message.empty());
}

// --- Fixed header -------------------------------------------------------------------------

TEST(Malformed, MQTT_2_2_2_1_PubackReservedFlagsMustBeZero) {
    expect_rejected("42 02 00 01", v311, codec_errc::invalid_fixed_header_flags, malformed);
    expect_rejected("41 02 00 01", v5, codec_errc::invalid_fixed_header_flags, malformed);
}

TEST(Malformed, MQTT_3_6_1_1_PubrelFlagsMustBe0010) {
    expect_rejected("60 02 00 01", v311, codec_errc::invalid_fixed_header_flags, malformed);
}

TEST(Malformed, MQTT_3_8_1_1_SubscribeFlagsMustBe0010) {
    expect_rejected("80 06 00 01 00 01 't' 00", v311, codec_errc::invalid_fixed_header_flags,
                    malformed);
}

TEST(Malformed, MQTT_3_10_1_1_UnsubscribeFlagsMustBe0010) {
    expect_rejected("a0 05 00 01 00 01 't'", v311, codec_errc::invalid_fixed_header_flags,
                    malformed);
}

TEST(Malformed, MQTT_3_14_1_1_DisconnectFlagsMustBeZero) {
    expect_rejected("e1 00", v5, codec_errc::invalid_fixed_header_flags, malformed);
}

TEST(Malformed, MQTT_3_15_1_1_AuthFlagsMustBeZero) {
    expect_rejected("f1 00", v5, codec_errc::invalid_fixed_header_flags, malformed);
}

TEST(Malformed, PacketTypeZeroIsReserved) {
    expect_rejected("00 00", v5, codec_errc::reserved_packet_type, malformed);
}

TEST(Malformed, PacketType15IsReservedBeforeV5) {
    expect_rejected("f0 00", v311, codec_errc::reserved_packet_type, malformed);
}

TEST(Malformed, RemainingLengthLongerThanFourBytes) {
    expect_rejected("30 ff ff ff ff 01", v311, codec_errc::remaining_length_too_long, malformed);
}

TEST(Malformed, MQTT_1_5_5_1_VariableByteIntegerMustBeMinimalInV5) {
    expect_rejected("c0 80 00", v5, codec_errc::non_minimal_varint, malformed);
    expect_rejected("30 05 00 01 't' 80 00", v5, codec_errc::non_minimal_varint, malformed);
    // MQTT 3.1.1 states no such rule for the remaining length.
    decode_as<pingreq>("c0 80 00", v311);
}

// --- UTF-8 --------------------------------------------------------------------------------

TEST(Malformed, MQTT_1_5_4_1_IllFormedUtf8IsMalformed) {
    const decode_error e = decode_error_of("30 04 00 02 c3 28", v311);
    EXPECT_EQ(e.code, make_error_code(codec_errc::invalid_utf8));
    EXPECT_EQ(e.reason(), malformed);
    EXPECT_EQ(e.offset, 4u);
    EXPECT_NE(e.message.find("PUBLISH topic name at offset 4"), std::string::npos) << e.message;
}

TEST(Malformed, MQTT_1_5_4_1_SurrogateCodePointsAreMalformed) {
    expect_rejected("30 05 00 03 ed a0 80", v5, codec_errc::invalid_utf8, malformed);
}

TEST(Malformed, MQTT_1_5_4_1_OverlongEncodingIsMalformed) {
    expect_rejected("30 04 00 02 c0 af", v311, codec_errc::invalid_utf8, malformed);
}

TEST(Malformed, MQTT_1_5_4_2_NullCharacterIsMalformed) {
    const decode_error e = decode_error_of("30 05 00 03 61 00 62", v311);
    EXPECT_EQ(e.code, make_error_code(codec_errc::utf8_null_character));
    EXPECT_EQ(e.offset, 5u);
}

TEST(Malformed, MQTT_1_5_4_3_ByteOrderMarkIsKeptNotStripped) {
    const auto p = decode_as<publish>("30 05 00 03 ef bb bf", v311);
    EXPECT_EQ(p.topic, "\xEF\xBB\xBF");
}

// --- CONNECT ------------------------------------------------------------------------------

TEST(Malformed, MQTT_3_1_2_1_WrongProtocolNameIsUnsupportedProtocolVersion) {
    expect_rejected("10 0c 00 04 'MQTX' 04 02 00 3c 00 00", v5,
                    codec_errc::unsupported_protocol_version,
                    reason_code::unsupported_protocol_version);
}

TEST(Malformed, MQTT_3_1_2_2_UnsupportedProtocolLevel) {
    expect_rejected("10 0c 00 04 'MQTT' 06 02 00 3c 00 00", v5,
                    codec_errc::unsupported_protocol_version,
                    reason_code::unsupported_protocol_version);
    expect_rejected("10 0c 00 04 'MQTT' 03 02 00 3c 00 00", v5,
                    codec_errc::unsupported_protocol_version,
                    reason_code::unsupported_protocol_version);
}

TEST(Malformed, MQTT_3_1_2_3_ConnectReservedFlagMustBeZero) {
    expect_rejected("10 0c 00 04 'MQTT' 04 03 00 3c 00 00", v311, codec_errc::connect_reserved_flag,
                    malformed);
    expect_rejected("10 0d 00 04 'MQTT' 05 03 00 3c 00 00 00", v5,
                    codec_errc::connect_reserved_flag, malformed);
}

TEST(Malformed, MQTT_3_1_2_11_WillQosWithoutWillFlag) {
    expect_rejected("10 0c 00 04 'MQTT' 04 0a 00 3c 00 00", v311, codec_errc::invalid_will_flags,
                    malformed);
}

TEST(Malformed, MQTT_3_1_2_15_WillRetainWithoutWillFlag) {
    expect_rejected("10 0c 00 04 'MQTT' 04 22 00 3c 00 00", v311, codec_errc::invalid_will_flags,
                    malformed);
}

TEST(Malformed, MQTT_3_1_2_14_WillQos3) {
    expect_rejected("10 0c 00 04 'MQTT' 04 1e 00 3c 00 00", v311, codec_errc::invalid_qos,
                    malformed);
}

TEST(Malformed, MQTT_3_1_2_22_PasswordWithoutUserNameInV311) {
    expect_rejected("10 10 00 04 'MQTT' 04 42 00 3c 00 00 00 02 'pw'", v311,
                    codec_errc::password_without_user_name, malformed);
}

TEST(Malformed, MQTT_3_1_2_9_WillFlagRequiresWillTopicAndPayload) {
    expect_rejected("10 0c 00 04 'MQTT' 04 06 00 3c 00 00", v311, codec_errc::truncated, malformed);
}

// --- CONNACK ------------------------------------------------------------------------------

TEST(Malformed, MQTT_3_2_2_1_ConnackReservedFlagBits) {
    expect_rejected("20 03 02 00 00", v5, codec_errc::invalid_connack_flags, malformed);
}

TEST(Malformed, MQTT_3_2_2_4_SessionPresentWithRefusalInV311) {
    expect_rejected("20 02 01 05", v311, codec_errc::session_present_on_failure, protocol_error);
}

TEST(Malformed, MQTT_3_2_2_6_SessionPresentWithFailureInV5) {
    expect_rejected("20 03 01 87 00", v5, codec_errc::session_present_on_failure, protocol_error);
}

TEST(Malformed, ReservedV311ReturnCode) {
    expect_rejected("20 02 00 06", v311, codec_errc::invalid_reason_code, protocol_error);
}

TEST(Malformed, MQTT_3_2_2_8_ConnackReasonCodeOutsideTable) {
    expect_rejected("20 03 00 01 00", v5, codec_errc::invalid_reason_code, protocol_error);
}

// --- PUBLISH and acknowledgements ---------------------------------------------------------

TEST(Malformed, MQTT_3_3_1_4_PublishQos3) {
    expect_rejected("36 05 00 01 't' 00 01", v311, codec_errc::invalid_qos, malformed);
}

TEST(Malformed, MQTT_3_3_1_2_DupMustBeZeroForQos0) {
    expect_rejected("38 03 00 01 't'", v311, codec_errc::dup_on_qos0, malformed);
}

TEST(Malformed, MQTT_3_3_2_2_TopicNameMustNotContainWildcards) {
    expect_rejected("30 05 00 03 'a/+'", v311, codec_errc::topic_name_has_wildcard, malformed);
    expect_rejected("30 06 00 03 'a/#' 00", v5, codec_errc::topic_name_has_wildcard, malformed);
}

TEST(Malformed, MQTT_4_7_3_1_EmptyTopicNameInV311) {
    expect_rejected("30 02 00 00", v311, codec_errc::empty_topic_name, protocol_error);
}

TEST(Malformed, EmptyTopicNameWithoutTopicAliasIsProtocolErrorInV5) {
    expect_rejected("30 03 00 00 00", v5, codec_errc::empty_topic_name, protocol_error);
}

TEST(Malformed, MQTT_2_3_1_1_PacketIdentifierMustNotBeZero) {
    expect_rejected("32 05 00 01 't' 00 00", v311, codec_errc::zero_packet_identifier,
                    protocol_error);
    expect_rejected("40 02 00 00", v311, codec_errc::zero_packet_identifier, protocol_error);
    expect_rejected("82 06 00 00 00 01 't' 00", v311, codec_errc::zero_packet_identifier,
                    protocol_error);
    expect_rejected("b0 02 00 00", v311, codec_errc::zero_packet_identifier, protocol_error);
}

TEST(Malformed, MQTT_3_4_2_1_PubackReasonCodeOutsideTable) {
    expect_rejected("40 03 00 01 05", v5, codec_errc::invalid_reason_code, protocol_error);
    expect_rejected("62 03 00 01 10", v5, codec_errc::invalid_reason_code, protocol_error);
}

TEST(Malformed, V311AcknowledgementWithExtraBytes) {
    expect_rejected("40 03 00 01 00", v311, codec_errc::trailing_bytes, malformed);
}

// --- SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK ---------------------------------------------

TEST(Malformed, MQTT_3_8_3_3_EmptySubscribeInV311) {
    expect_rejected("82 02 00 01", v311, codec_errc::empty_subscription_list, protocol_error);
}

TEST(Malformed, MQTT_3_8_3_2_EmptySubscribeInV5) {
    expect_rejected("82 03 00 01 00", v5, codec_errc::empty_subscription_list, protocol_error);
}

TEST(Malformed, MQTT_3_10_3_2_EmptyUnsubscribe) {
    expect_rejected("a2 02 00 01", v311, codec_errc::empty_subscription_list, protocol_error);
    expect_rejected("a2 03 00 01 00", v5, codec_errc::empty_subscription_list, protocol_error);
}

TEST(Malformed, MQTT_3_8_3_4_V311ReservedSubscriptionOptionBits) {
    expect_rejected("82 06 00 01 00 01 't' 04", v311, codec_errc::invalid_subscription_options,
                    malformed);
    expect_rejected("82 06 00 01 00 01 't' 03", v311, codec_errc::invalid_subscription_options,
                    malformed);
}

TEST(Malformed, MQTT_3_8_3_5_V5ReservedSubscriptionOptionBits) {
    expect_rejected("82 07 00 01 00 00 01 't' c0", v5, codec_errc::invalid_subscription_options,
                    malformed);
}

TEST(Malformed, V5RetainHandling3IsProtocolError) {
    expect_rejected("82 07 00 01 00 00 01 't' 30", v5, codec_errc::invalid_retain_handling,
                    protocol_error);
}

TEST(Malformed, V5SubscriptionMaximumQos3IsProtocolError) {
    expect_rejected("82 07 00 01 00 00 01 't' 03", v5, codec_errc::invalid_subscription_qos,
                    protocol_error);
}

TEST(Malformed, MQTT_3_8_3_4_V5NoLocalOnSharedSubscription) {
    expect_rejected("82 10 00 01 00 00 0a '$share/g/t' 04", v5,
                    codec_errc::no_local_on_shared_subscription, protocol_error);
}

TEST(Malformed, SubackWithoutReasonCodes) {
    expect_rejected("90 02 00 01", v311, codec_errc::empty_subscription_list, protocol_error);
}

TEST(Malformed, MQTT_3_9_3_2_SubackReturnCodeOutsideTable) {
    expect_rejected("90 03 00 01 03", v311, codec_errc::invalid_reason_code, protocol_error);
    expect_rejected("90 04 00 01 00 10", v5, codec_errc::invalid_reason_code, protocol_error);
}

TEST(Malformed, UnsubackReasonCodeOutsideTable) {
    expect_rejected("b0 04 00 01 00 01", v5, codec_errc::invalid_reason_code, protocol_error);
}

TEST(Malformed, MQTT_4_7_3_1_EmptyTopicFilter) {
    expect_rejected("82 06 00 01 00 00 00 00", v5, codec_errc::invalid_topic_filter, malformed);
    expect_rejected("a2 04 00 01 00 00", v311, codec_errc::invalid_topic_filter, malformed);
}

TEST(Malformed, MQTT_4_7_1_2_MultiLevelWildcardMustBeLast) {
    expect_rejected("82 0b 00 01 00 00 05 'a/#/b' 00", v5, codec_errc::invalid_topic_filter,
                    malformed);
    expect_rejected("a2 07 00 01 00 03 'a+b'", v311, codec_errc::invalid_topic_filter, malformed);
}

TEST(Malformed, MQTT_4_8_2_1_SharedSubscriptionNeedsGroupAndFilter) {
    expect_rejected("82 0e 00 01 00 00 08 '$share/g' 00", v5, codec_errc::invalid_topic_filter,
                    malformed);
    // Before 5.0 "$share/" is an ordinary topic filter.
    EXPECT_EQ(decode_as<subscribe>("82 0f 00 01 00 0a '$share/+/x' 00", v311)
                  .subscriptions.at(0)
                  .topic_filter,
              "$share/+/x");
}

// --- PINGREQ, DISCONNECT, AUTH ------------------------------------------------------------

TEST(Malformed, PingreqWithBody) {
    expect_rejected("c0 01 00", v311, codec_errc::trailing_bytes, malformed);
}

TEST(Malformed, V311DisconnectWithBody) {
    expect_rejected("e0 01 00", v311, codec_errc::trailing_bytes, malformed);
}

TEST(Malformed, MQTT_3_14_2_1_DisconnectReasonCodeOutsideTable) {
    expect_rejected("e0 01 01", v5, codec_errc::invalid_reason_code, protocol_error);
}

TEST(Malformed, AuthWithReasonCodeNeedsPropertyLength) {
    expect_rejected("f0 01 18", v5, codec_errc::truncated, malformed);
}

TEST(Malformed, AuthWithoutAuthenticationMethodIsProtocolError) {
    expect_rejected("f0 02 18 00", v5, codec_errc::missing_authentication_method, protocol_error);
    expect_rejected("f0 00", v5, codec_errc::missing_authentication_method, protocol_error);
}

TEST(Malformed, MQTT_3_15_2_1_AuthReasonCodeOutsideTable) {
    expect_rejected("f0 06 01 04 15 00 01 'X'", v5, codec_errc::invalid_reason_code,
                    protocol_error);
}

// --- Properties ---------------------------------------------------------------------------

TEST(Malformed, UnknownPropertyIdentifier) {
    const decode_error e = decode_error_of("30 06 00 01 't' 02 05 00", v5);
    EXPECT_EQ(e.code, make_error_code(codec_errc::unknown_property));
    EXPECT_EQ(e.reason(), malformed);
    EXPECT_EQ(e.offset, 6u);
}

TEST(Malformed, PropertyIncludedTwiceIsProtocolError) {
    expect_rejected("30 0c 00 01 't' 08 03 00 01 'a' 03 00 01 'b'", v5,
                    codec_errc::duplicate_property, protocol_error);
}

TEST(Malformed, SubscriptionIdentifierTwiceInSubscribeIsProtocolError) {
    expect_rejected("82 0b 00 01 04 0b 01 0b 02 00 01 't' 00", v5, codec_errc::duplicate_property,
                    protocol_error);
}

TEST(Malformed, ReceiveMaximumZeroIsProtocolError) {
    expect_rejected("10 10 00 04 'MQTT' 05 02 00 3c 03 21 00 00 00 00", v5,
                    codec_errc::invalid_property_value, protocol_error);
}

TEST(Malformed, MaximumPacketSizeZeroIsProtocolError) {
    expect_rejected("10 12 00 04 'MQTT' 05 02 00 3c 05 27 00 00 00 00 00 00", v5,
                    codec_errc::invalid_property_value, protocol_error);
}

TEST(Malformed, SubscriptionIdentifierZeroIsProtocolError) {
    expect_rejected("82 09 00 01 02 0b 00 00 01 't' 00", v5, codec_errc::invalid_property_value,
                    protocol_error);
}

TEST(Malformed, MQTT_3_3_2_8_TopicAliasZeroIsTopicAliasInvalid) {
    expect_rejected("30 07 00 01 't' 03 23 00 00", v5, codec_errc::invalid_topic_alias,
                    reason_code::topic_alias_invalid);
}

TEST(Malformed, RequestProblemInformationOtherThan0Or1IsProtocolError) {
    expect_rejected("10 0f 00 04 'MQTT' 05 02 00 3c 02 17 02 00 00", v5,
                    codec_errc::invalid_property_value, protocol_error);
}

TEST(Malformed, AuthenticationDataWithoutMethodIsProtocolError) {
    expect_rejected("10 11 00 04 'MQTT' 05 02 00 3c 04 16 00 01 aa 00 00", v5,
                    codec_errc::authentication_data_without_method, protocol_error);
}

TEST(Malformed, MQTT_3_3_2_14_ResponseTopicMustNotContainWildcards) {
    const decode_error e = decode_error_of("30 08 00 01 't' 04 08 00 01 '#'", v5);
    EXPECT_EQ(e.code, make_error_code(codec_errc::topic_name_has_wildcard));
    EXPECT_EQ(e.offset, 9u) << "the offset of the wildcard";
}

TEST(Malformed, WildcardOffsetPointsAtTheWildcard) {
    EXPECT_EQ(decode_error_of("30 03 00 01 '#'", v311).offset, 4u);
}

TEST(Malformed, AuthenticationDataErrorPointsAtTheProperty) {
    EXPECT_EQ(decode_error_of("10 11 00 04 'MQTT' 05 02 00 3c 04 16 00 01 aa 00 00", v5).offset,
              13u);
}

TEST(Malformed, PropertyLengthErrorPointsAtThePropertyLength) {
    EXPECT_EQ(decode_error_of("30 07 00 01 't' 80 01 02 't'", v5).offset, 5u);
}

TEST(Malformed, V5ConnectRemainingLengthMustBeMinimalButV311NeedNotBe) {
    expect_rejected("10 8d 00 00 04 'MQTT' 05 02 00 3c 00 00 00", v311,
                    codec_errc::non_minimal_varint, malformed);
    EXPECT_EQ(decode_as<connect>("10 8c 00 00 04 'MQTT' 04 02 00 3c 00 00", v5).version, v311);
}

TEST(Malformed, PropertyLengthPastTheEndOfThePacket) {
    expect_rejected("30 05 00 01 't' 05 01", v5, codec_errc::truncated, malformed);
}

TEST(Malformed, PropertyValuePastThePropertyLength) {
    expect_rejected("30 09 00 01 't' 02 03 00 02 'ab'", v5, codec_errc::truncated, malformed);
}

TEST(Malformed, StringLengthPastTheEndOfThePacket) {
    expect_rejected("30 05 00 09 'abc'", v311, codec_errc::truncated, malformed);
}

}  // namespace
}  // namespace harness::codec
