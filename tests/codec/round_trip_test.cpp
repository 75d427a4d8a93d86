// decode(encode(p)) == p for packets of every type, at every protocol level that has them.
#include "test_support.hpp"

namespace harness::codec {
namespace {

std::vector<packet> v5_packets() {
    connect c;
    c.clean_start = false;
    c.keep_alive = 0;
    c.client_id = "client-\xC3\xA9";
    c.username = "u";
    c.password = binary{0, 1, 2};
    c.properties.add(property_id::session_expiry_interval, 300u);
    c.properties.add(property_id::authentication_method, std::string("m"));
    c.properties.add(property_id::authentication_data, binary{9});
    c.properties.add_user_property("k", "v");
    c.will = will_message{"w", binary(70000 % 65535, 1), qos::exactly_once, true, {}};
    c.will->properties.add(property_id::content_type, std::string("application/json"));

    publish p;
    p.qos = qos::exactly_once;
    p.packet_id = 65535;
    p.topic = "a/b/c";
    p.retain = true;
    p.properties.add(property_id::subscription_identifier, 268'435'455u);
    p.properties.add(property_id::correlation_data, binary{1, 2, 3});
    p.payload.assign(20000, 7);

    subscribe s;
    s.packet_id = 2;
    s.subscriptions = {
        {"a/#", qos::exactly_once, true, false, retain_handling::send_if_new_subscription},
        {"$share/g/x", qos::at_most_once}};
    connack ca{true, connack_reason::success, {}};
    ca.properties.add(property_id::assigned_client_identifier, std::string("auto-1"));
    ca.properties.add(property_id::maximum_qos, 1u);

    auth a{auth_reason::re_authenticate, {}};
    a.properties.add(property_id::authentication_method, std::string("SCRAM-SHA-1"));
    disconnect d{disconnect_reason::session_taken_over, {}};
    d.properties.add(property_id::reason_string, std::string("bye"));

    return {c,
            ca,
            p,
            puback{1, puback_reason::quota_exceeded, {}},
            pubrec{2, pubrec_reason::success, {}},
            pubrel{3, pubrel_reason::packet_identifier_not_found, {}},
            pubcomp{4, pubcomp_reason::success, {}},
            s,
            suback{2, {}, {suback_reason::granted_qos_2, suback_reason::not_authorized}},
            unsubscribe{3, {}, {"a/#", "b"}},
            unsuback{3, {}, {unsuback_reason::success, unsuback_reason::not_authorized}},
            pingreq{},
            pingresp{},
            d,
            a};
}

std::vector<packet> v311_packets(protocol_version v) {
    connect c;
    c.version = v;
    c.client_id = "c";
    c.will = will_message{"w/t", binary{1}, qos::at_least_once, false, {}};
    c.username = "user";
    c.password = binary{'p'};
    publish p;
    p.qos = qos::at_least_once;
    p.packet_id = 1;
    p.dup = true;
    p.topic = "t";
    p.payload = {1, 2, 3};
    return {c,
            connack{false, connack_reason::bad_user_name_or_password, {}},
            p,
            puback{1, {}, {}},
            pubrec{2, {}, {}},
            pubrel{3, {}, {}},
            pubcomp{4, {}, {}},
            subscribe{5, {}, {{"a/+", qos::at_least_once}}},
            suback{5, {}, {suback_reason::granted_qos_1, suback_reason::unspecified_error}},
            unsubscribe{6, {}, {"a/+"}},
            unsuback{6, {}, {}},
            pingreq{},
            pingresp{},
            disconnect{}};
}

void expect_round_trip(const std::vector<packet>& packets, protocol_version v) {
    for (const auto& p : packets) {
        std::vector<std::uint8_t> bytes;
        ASSERT_FALSE(encode(p, v, bytes)) << to_string(type_of(p));
        auto decoded = decode(bytes, v);
        ASSERT_TRUE(decoded) << to_string(type_of(p)) << ": " << decoded.error().message;
        EXPECT_TRUE(*decoded == p) << to_string(type_of(p)) << " at level " << static_cast<int>(v);
    }
}

TEST(RoundTrip, EveryPacketTypeInV5) {
    expect_round_trip(v5_packets(), protocol_version::v5);
}

TEST(RoundTrip, EveryPacketTypeInV311) {
    expect_round_trip(v311_packets(protocol_version::v3_1_1), protocol_version::v3_1_1);
}

TEST(RoundTrip, EveryPacketTypeInV31) {
    expect_round_trip(v311_packets(protocol_version::v3_1), protocol_version::v3_1);
}

TEST(Encode, StringLongerThan65535BytesFails) {
    publish p;
    p.topic.assign(65536, 'a');
    std::vector<std::uint8_t> out{0xEE};
    EXPECT_EQ(encode(p, protocol_version::v5, out), make_error_code(codec_errc::value_too_large));
    EXPECT_EQ(out.size(), 1u) << "nothing appended on failure";
}

TEST(Encode, PropertyValueOfTheWrongKindFails) {
    publish p;
    p.topic = "t";
    p.properties.add(property_id::content_type, 5u);
    std::vector<std::uint8_t> out;
    EXPECT_EQ(encode(p, protocol_version::v5, out),
              make_error_code(codec_errc::invalid_property_value));
    EXPECT_TRUE(out.empty());
}

TEST(Encode, AppendsToExistingBytes) {
    std::vector<std::uint8_t> out;
    encode(pingreq{}, protocol_version::v5, out);
    encode(pingresp{}, protocol_version::v5, out);
    EXPECT_EQ(test::hex(out), "c0 00 d0 00");
}

}  // namespace
}  // namespace harness::codec
