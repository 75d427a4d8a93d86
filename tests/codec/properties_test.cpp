// Every MQTT 5.0 property: its wire form inside a packet that may carry it, and its rejection
// (Malformed Packet, section 2.2.2.2) inside one that may not.
#include <set>

#include "test_support.hpp"

namespace harness::codec {
namespace {

using namespace test;
using enum property_id;
constexpr auto v5 = protocol_version::v5;

std::vector<std::uint8_t> with_header(std::uint8_t header, const std::vector<std::uint8_t>& body) {
    std::vector<std::uint8_t> out{header};
    std::size_t n = body.size();
    do {
        std::uint8_t b = n & 0x7F;
        n >>= 7;
        if (n != 0)
            b |= 0x80;
        out.push_back(b);
    } while (n != 0);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

std::vector<std::uint8_t> concat(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

/// A minimal packet of the context's kind whose (only) property list is `props`.
std::vector<std::uint8_t> packet_with(property_context context,
                                      const std::vector<std::uint8_t>& props) {
    const auto block = concat({static_cast<std::uint8_t>(props.size())}, props);
    switch (context) {
        case property_context::connect:
            return with_header(
                0x10, concat(concat(bytes("00 04 'MQTT' 05 02 00 00"), block), bytes("00 00")));
        case property_context::will:
            return with_header(0x10,
                               concat(concat(bytes("00 04 'MQTT' 05 06 00 00 00 00 00"), block),
                                      bytes("00 01 't' 00 00")));
        case property_context::connack:
            return with_header(0x20, concat(bytes("00 00"), block));
        case property_context::publish:
            return with_header(0x30, concat(bytes("00 01 't'"), block));
        case property_context::puback:
            return with_header(0x40, concat(bytes("00 01 00"), block));
        case property_context::subscribe:
            return with_header(0x82, concat(concat(bytes("00 01"), block), bytes("00 01 't' 00")));
        case property_context::disconnect:
            return with_header(0xE0, concat(bytes("00"), block));
        case property_context::auth:
            return with_header(0xF0, concat(bytes("18"), block));
        default:
            ADD_FAILURE() << "no container for this context";
            return {};
    }
}

const property_list& properties_of(const packet& p, property_context context) {
    static const property_list none;
    if (context == property_context::will)
        return std::get<connect>(p).will->properties;
    return std::visit(
        [](const auto& value) -> const property_list& {
            if constexpr (requires { value.properties; })
                return value.properties;
            return none;
        },
        p);
}

struct property_vector {
    property_id id;
    property_context context;
    const char* wire;  // the property (and, for authentication data, the method before it)
    property_value value;
};

const std::vector<property_vector>& vectors() {
    using c = property_context;
    static const std::vector<property_vector> table{
        {payload_format_indicator, c::publish, "01 01", 1u},
        {message_expiry_interval, c::publish, "02 00 00 0e 10", 3600u},
        {content_type, c::publish, "03 00 04 'text'", std::string("text")},
        {response_topic, c::will, "08 00 03 'r/1'", std::string("r/1")},
        {correlation_data, c::publish, "09 00 02 ca fe", binary{0xca, 0xfe}},
        {subscription_identifier, c::subscribe, "0b 80 01", 128u},
        {session_expiry_interval, c::connect, "11 ff ff ff ff", 0xFFFFFFFFu},
        {assigned_client_identifier, c::connack, "12 00 02 'id'", std::string("id")},
        {server_keep_alive, c::connack, "13 00 1e", 30u},
        {authentication_method, c::connect, "15 00 05 'SCRAM'", std::string("SCRAM")},
        {authentication_data, c::auth, "15 00 01 'X' 16 00 02 01 02", binary{0x01, 0x02}},
        {request_problem_information, c::connect, "17 00", 0u},
        {will_delay_interval, c::will, "18 00 00 00 0a", 10u},
        {request_response_information, c::connect, "19 01", 1u},
        {response_information, c::connack, "1a 00 02 'r/'", std::string("r/")},
        {server_reference, c::disconnect, "1c 00 05 'other'", std::string("other")},
        {reason_string, c::puback, "1f 00 02 'ok'", std::string("ok")},
        {receive_maximum, c::connect, "21 00 0a", 10u},
        {topic_alias_maximum, c::connack, "22 00 05", 5u},
        {topic_alias, c::publish, "23 00 01", 1u},
        {maximum_qos, c::connack, "24 01", 1u},
        {retain_available, c::connack, "25 00", 0u},
        {user_property, c::publish, "26 00 01 'k' 00 01 'v'", string_pair{"k", "v"}},
        {maximum_packet_size, c::connect, "27 00 00 10 00", 4096u},
        {wildcard_subscription_available, c::connack, "28 01", 1u},
        {subscription_identifier_available, c::connack, "29 00", 0u},
        {shared_subscription_available, c::connack, "2a 01", 1u},
    };
    return table;
}

class PropertyVector : public ::testing::TestWithParam<property_vector> {};

TEST_P(PropertyVector, DecodesToItsValueAndReencodesToTheSameBytes) {
    const auto& v = GetParam();
    const auto input = packet_with(v.context, bytes(v.wire));
    auto decoded = decode(input, v5);
    ASSERT_TRUE(decoded) << decoded.error().message;
    const property* p = properties_of(*decoded, v.context).find(v.id);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(p->value == v.value);
    EXPECT_EQ(hex(encode(*decoded, v5)), hex(input));
}

TEST_P(PropertyVector, IsMalformedInAPacketThatMayNotCarryIt) {
    const auto& v = GetParam();
    const property_info* info = find_property_info(static_cast<std::uint8_t>(v.id));
    ASSERT_NE(info, nullptr);
    if (v.id == user_property) {  // allowed everywhere: check it is accepted everywhere
        using c = property_context;
        for (auto context : {c::connect, c::will, c::connack, c::publish, c::puback, c::subscribe,
                             c::disconnect}) {
            EXPECT_TRUE(decode(packet_with(context, bytes(v.wire)), v5)) << context_name(context);
        }
        return;
    }
    const auto wrong = (info->contexts & static_cast<std::uint16_t>(property_context::puback)) == 0
                           ? property_context::puback
                           : property_context::publish;
    const auto input = packet_with(wrong, bytes(v.id == authentication_data ? "16 00 00" : v.wire));
    auto decoded = decode(input, v5);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, codec_errc::property_not_allowed) << decoded.error().message;
    EXPECT_EQ(decoded.error().reason(), reason_code::malformed_packet);
}

INSTANTIATE_TEST_SUITE_P(
    AllProperties, PropertyVector, ::testing::ValuesIn(vectors()), [](const auto& param) {
        return std::string(find_property_info(static_cast<std::uint8_t>(param.param.id))->name);
    });

TEST(PropertyTable, ListsAll27PropertiesOnceWithTheirWireTypes) {
    const auto table = property_table();
    ASSERT_EQ(table.size(), 27u);
    std::set<property_id> ids;
    for (const auto& info : table) {
        ids.insert(info.id);
        EXPECT_EQ(find_property_info(static_cast<std::uint8_t>(info.id)), &info);
    }
    EXPECT_EQ(ids.size(), 27u);
    std::set<property_id> covered;
    for (const auto& v : vectors())
        covered.insert(v.id);
    EXPECT_EQ(covered, ids) << "every property has a vector";
    EXPECT_EQ(find_property_info(0x00), nullptr);
    EXPECT_EQ(find_property_info(0x04), nullptr);
    EXPECT_EQ(find_property_info(0x2B), nullptr);
    EXPECT_EQ(find_property_info(static_cast<std::uint8_t>(subscription_identifier))->type,
              wire_type::variable_byte_integer);
    EXPECT_EQ(find_property_info(static_cast<std::uint8_t>(user_property))->type,
              wire_type::utf8_string_pair);
}

TEST(PropertyTable, OnlyUserPropertyAndSubscriptionIdentifierRepeat) {
    for (const auto& info : property_table()) {
        EXPECT_EQ(info.repeatable, info.id == user_property || info.id == subscription_identifier)
            << info.name;
    }
}

TEST(PropertyList, KeepsWireOrderAndRepeatedUserProperties) {
    const auto p = decode_as<publish>(
        "30 14 00 01 't' 10 26 00 01 'a' 00 01 '1' 01 00 26 00 01 'a' 00 01 '2'", v5);
    ASSERT_EQ(p.properties.size(), 3u);
    EXPECT_EQ(p.properties.items()[1].id, payload_format_indicator);
    EXPECT_EQ(p.properties.user_properties(), (std::vector<string_pair>{{"a", "1"}, {"a", "2"}}));
}

}  // namespace
}  // namespace harness::codec
