// CONNECT and CONNACK wire forms for MQTT 3.1, 3.1.1 and 5.0, with bytes from the specifications.
#include "test_support.hpp"

namespace harness::codec {
namespace {

using namespace test;
constexpr auto v3_1 = protocol_version::v3_1;
constexpr auto v311 = protocol_version::v3_1_1;
constexpr auto v5 = protocol_version::v5;

TEST(Connect, MinimalV311HasCleanSessionKeepAliveAndEmptyClientId) {
    connect p;
    p.version = v311;
    expect_wire_form(p, v311, "10 0c 00 04 'MQTT' 04 02 00 3c 00 00");
}

TEST(Connect, V311CarriesWillUserNameAndPasswordInPayloadOrder) {
    connect p;
    p.version = v311;
    p.keep_alive = 10;
    p.client_id = "cid";
    p.will = will_message{"w/t", {'b', 'y'}, qos::at_least_once, true, {}};
    p.username = "user";
    p.password = binary{'p', 'w'};
    expect_wire_form(p, v311,
                     "10 22 00 04 'MQTT' 04 ee 00 0a 00 03 'cid' 00 03 'w/t' 00 02 'by' "
                     "00 04 'user' 00 02 'pw'");
}

TEST(Connect, V31UsesProtocolNameMQIsdpAndLevel3) {
    const auto p = decode_as<connect>("10 11 00 06 'MQIsdp' 03 02 00 3c 00 03 'abc'", v5);
    EXPECT_EQ(p.version, v3_1);
    EXPECT_EQ(p.client_id, "abc");
    expect_wire_form(p, v3_1, "10 11 00 06 'MQIsdp' 03 02 00 3c 00 03 'abc'");
}

TEST(Connect, V5PropertiesFollowKeepAlive) {
    connect p;
    p.properties.add(property_id::session_expiry_interval, 10u);
    p.properties.add(property_id::receive_maximum, 20u);
    expect_wire_form(p, v5, "10 15 00 04 'MQTT' 05 02 00 3c 08 11 00 00 00 0a 21 00 14 00 00");
}

TEST(Connect, V5WillPropertiesPrecedeWillTopic) {
    connect p;
    p.client_id = "id";
    p.clean_start = true;
    p.will = will_message{"w/t", {'b', 'y'}, qos::at_least_once, false, {}};
    p.will->properties.add(property_id::will_delay_interval, 5u);
    p.will->properties.add(property_id::payload_format_indicator, 1u);
    expect_wire_form(p, v5,
                     "10 20 00 04 'MQTT' 05 0e 00 3c 00 00 02 'id' 07 18 00 00 00 05 01 01 "
                     "00 03 'w/t' 00 02 'by'");
}

TEST(Connect, V5AllowsPasswordWithoutUserName) {
    const auto p = decode_as<connect>("10 11 00 04 'MQTT' 05 42 00 3c 00 00 00 00 02 'pw'", v5);
    EXPECT_FALSE(p.username.has_value());
    ASSERT_TRUE(p.password.has_value());
    EXPECT_EQ(*p.password, (binary{'p', 'w'}));
}

TEST(Connect, ProtocolLevelComesFromThePacketNotTheCaller) {
    const auto p = decode_as<connect>("10 0c 00 04 'MQTT' 04 02 00 3c 00 00", v5);
    EXPECT_EQ(p.version, v311);
    EXPECT_TRUE(p.properties.empty());
}

TEST(Connack, V311SessionPresentAndAccepted) {
    connack p;
    p.session_present = true;
    expect_wire_form(p, v311, "20 02 01 00");
}

TEST(Connack, V311ReturnCodesMapToV5ReasonCodes) {
    EXPECT_EQ(decode_as<connack>("20 02 00 01", v311).reason_code,
              connack_reason::unsupported_protocol_version);
    EXPECT_EQ(decode_as<connack>("20 02 00 02", v311).reason_code,
              connack_reason::client_identifier_not_valid);
    EXPECT_EQ(decode_as<connack>("20 02 00 03", v311).reason_code,
              connack_reason::server_unavailable);
    EXPECT_EQ(decode_as<connack>("20 02 00 04", v311).reason_code,
              connack_reason::bad_user_name_or_password);
    EXPECT_EQ(decode_as<connack>("20 02 00 05", v311).reason_code, connack_reason::not_authorized);
    connack refused;
    refused.reason_code = connack_reason::not_authorized;
    expect_wire_form(refused, v311, "20 02 00 05");
}

TEST(Connack, V31HasNoSessionPresentFlag) {
    EXPECT_FALSE(decode_as<connack>("20 02 01 00", protocol_version::v3_1).session_present);
    expect_wire_form(connack{false, connack_reason::success, {}}, protocol_version::v3_1,
                     "20 02 00 00");
}

TEST(Connack, V5WithoutPropertiesHasPropertyLengthZero) {
    expect_wire_form(connack{}, v5, "20 03 00 00 00");
}

TEST(Connack, V5CarriesReasonCodeAndProperties) {
    connack p;
    p.reason_code = connack_reason::not_authorized;
    p.properties.add(property_id::reason_string, std::string("no"));
    p.properties.add(property_id::topic_alias_maximum, 10u);
    expect_wire_form(p, v5, "20 0b 00 87 08 1f 00 02 'no' 22 00 0a");
}

}  // namespace
}  // namespace harness::codec
