// PINGREQ, PINGRESP, DISCONNECT and AUTH, with bytes from the specifications.
#include "test_support.hpp"

namespace harness::codec {
namespace {

using namespace test;
constexpr auto v311 = protocol_version::v3_1_1;
constexpr auto v5 = protocol_version::v5;

TEST(Ping, RequestAndResponseHaveNoBody) {
    expect_wire_form(pingreq{}, v311, "c0 00");
    expect_wire_form(pingresp{}, v5, "d0 00");
}

TEST(Disconnect, V311HasNoBody) {
    expect_wire_form(disconnect{}, v311, "e0 00");
}

TEST(Disconnect, V5NormalDisconnectionWithoutPropertiesIsEmpty) {
    expect_wire_form(disconnect{}, v5, "e0 00");
}

TEST(Disconnect, V5ReasonCodeAloneOmitsPropertyLength) {
    expect_wire_form(disconnect{disconnect_reason::disconnect_with_will_message, {}}, v5,
                     "e0 01 04");
}

TEST(Disconnect, V5ReasonCodeWithSessionExpiry) {
    disconnect p{disconnect_reason::disconnect_with_will_message, {}};
    p.properties.add(property_id::session_expiry_interval, 0u);
    expect_wire_form(p, v5, "e0 07 04 05 11 00 00 00 00");
}

TEST(Auth, ContinueAuthenticationWithMethodAndData) {
    auth p{auth_reason::continue_authentication, {}};
    p.properties.add(property_id::authentication_method, std::string("SCRAM"));
    p.properties.add(property_id::authentication_data, binary{0x01, 0x02});
    expect_wire_form(p, v5, "f0 0f 18 0d 15 00 05 'SCRAM' 16 00 02 01 02");
}

TEST(Auth, SuccessWithMethodKeepsReasonCodeAndProperties) {
    auth p;
    p.properties.add(property_id::authentication_method, std::string("X"));
    expect_wire_form(p, v5, "f0 06 00 04 15 00 01 'X'");
}

}  // namespace
}  // namespace harness::codec
