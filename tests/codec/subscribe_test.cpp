// SUBSCRIBE, SUBACK, UNSUBSCRIBE and UNSUBACK, with bytes from the specifications.
#include "test_support.hpp"

namespace harness::codec {
namespace {

using namespace test;
constexpr auto v311 = protocol_version::v3_1_1;
constexpr auto v5 = protocol_version::v5;

TEST(Subscribe, V311FiltersWithRequestedQos) {
    subscribe p;
    p.packet_id = 10;
    p.subscriptions = {{"a/b", qos::at_least_once}, {"c/#", qos::exactly_once}};
    expect_wire_form(p, v311, "82 0e 00 0a 00 03 'a/b' 01 00 03 'c/#' 02");
}

TEST(Subscribe, V5OptionsCarryNoLocalRetainAsPublishedAndRetainHandling) {
    subscribe p;
    p.packet_id = 11;
    p.properties.add(property_id::subscription_identifier, 5u);
    p.subscriptions = {{"x", qos::at_least_once, true, true, retain_handling::do_not_send}};
    expect_wire_form(p, v5, "82 09 00 0b 02 0b 05 00 01 'x' 2d");
}

TEST(Subscribe, V5SharedSubscriptionWithoutNoLocalIsValid) {
    const auto p = decode_as<subscribe>("82 10 00 01 00 00 0a '$share/g/t' 01", v5);
    ASSERT_EQ(p.subscriptions.size(), 1u);
    EXPECT_EQ(p.subscriptions[0].topic_filter, "$share/g/t");
}

TEST(Suback, V311ReturnCodesIncludeFailure) {
    suback p;
    p.packet_id = 10;
    p.reason_codes = {suback_reason::granted_qos_1, suback_reason::unspecified_error};
    expect_wire_form(p, v311, "90 04 00 0a 01 80");
}

TEST(Suback, V5ReasonCodesAfterProperties) {
    suback p;
    p.packet_id = 11;
    p.reason_codes = {suback_reason::granted_qos_0,
                      suback_reason::wildcard_subscriptions_not_supported};
    expect_wire_form(p, v5, "90 05 00 0b 00 00 a2");
}

TEST(Unsubscribe, V311ListsTopicFilters) {
    unsubscribe p;
    p.packet_id = 12;
    p.topic_filters = {"a/b"};
    expect_wire_form(p, v311, "a2 07 00 0c 00 03 'a/b'");
}

TEST(Unsubscribe, V5HasPropertyLength) {
    unsubscribe p;
    p.packet_id = 12;
    p.topic_filters = {"a/b", "c"};
    expect_wire_form(p, v5, "a2 0b 00 0c 00 00 03 'a/b' 00 01 'c'");
}

TEST(Unsuback, V311IsJustThePacketIdentifier) {
    expect_wire_form(unsuback{12, {}, {}}, v311, "b0 02 00 0c");
}

TEST(Unsuback, V5CarriesOneReasonCodePerFilter) {
    unsuback p;
    p.packet_id = 12;
    p.reason_codes = {unsuback_reason::success, unsuback_reason::no_subscription_existed};
    expect_wire_form(p, v5, "b0 05 00 0c 00 00 11");
}

}  // namespace
}  // namespace harness::codec
