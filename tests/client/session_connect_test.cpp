// Client session: CONNECT/CONNACK, refusals, timeouts, keep-alive, DISCONNECT both ways,
// protocol errors from the server.
#include "scripted_server.hpp"

namespace harness::client {
namespace {

using namespace codec;
using namespace test;

session_options v5_options() {
    session_options o;
    o.connect.client_id = "tester";
    o.connect.keep_alive = 10;
    o.connect.properties.add(property_id::session_expiry_interval, 60u);
    return o;
}

TEST(SessionConnect, SendsTheConfiguredConnect) {
    auto options = v5_options();
    options.connect.username = "u";
    options.connect.will = will_message{"will/t", {'x'}, qos::at_least_once, true, {}};
    session s(options);
    scripted_server server(s, protocol_version::v5);
    s.start(server.now);
    EXPECT_EQ(s.state(), session_state::connecting);
    EXPECT_EQ(server.received_one<connect>(), options.connect);
}

TEST(SessionConnect, AcceptedConnackConnectsAndAppliesServerProperties) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    connack ack;
    ack.properties.add(property_id::assigned_client_identifier, std::string("assigned-1"));
    ack.properties.add(property_id::server_keep_alive, 30u);
    ack.properties.add(property_id::receive_maximum, 7u);
    server.handshake(ack);
    EXPECT_EQ(s.state(), session_state::connected);
    EXPECT_EQ(server.event_one<connected_event>().connack, ack);
    EXPECT_EQ(s.client_id(), "assigned-1");
    EXPECT_EQ(s.keep_alive(), 30s);
    EXPECT_EQ(s.server_receive_maximum(), 7u);
}

TEST(SessionConnect, RefusedConnackReportsTheReasonAndCloses) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake(connack{false, connack_reason::bad_user_name_or_password, {}});
    const auto e = server.event_one<disconnected_event>();
    EXPECT_EQ(e.error, client_errc::connection_refused);
    EXPECT_EQ(e.refusal, connack_reason::bad_user_name_or_password);
    EXPECT_NE(e.message.find("Bad User Name or Password"), std::string::npos) << e.message;
    EXPECT_TRUE(s.should_close());
}

TEST(SessionConnect, V311RefusalNamesTheReturnCode) {
    session_options o;
    o.connect.version = protocol_version::v3_1_1;
    session s(o);
    scripted_server server(s, protocol_version::v3_1_1);
    server.handshake(connack{false, connack_reason::not_authorized, {}});
    const auto e = server.event_one<disconnected_event>();
    EXPECT_NE(e.message.find("Connection Refused, not authorized"), std::string::npos) << e.message;
}

TEST(SessionConnect, NoConnackWithinTheTimeoutFails) {
    auto options = v5_options();
    options.connect_timeout = 5s;
    session s(options);
    scripted_server server(s, protocol_version::v5);
    s.start(server.now);
    server.received();
    ASSERT_EQ(s.next_deadline(), server.now + 5s);
    s.tick(server.now + 4s);
    EXPECT_TRUE(server.events().empty());
    s.tick(server.now + 5s);
    EXPECT_EQ(server.event_one<disconnected_event>().error, client_errc::connack_timeout);
    EXPECT_TRUE(s.should_close());
}

TEST(SessionConnect, KeepAliveSendsPingreqWhenIdleAndDetectsADeadServer) {
    session s(v5_options());  // keep alive 10 s
    scripted_server server(s, protocol_version::v5);
    const auto t0 = server.now;
    server.handshake();
    server.events();
    EXPECT_EQ(s.next_deadline(), t0 + 10s);
    s.tick(t0 + 9s);
    EXPECT_TRUE(server.received().empty());
    s.tick(t0 + 10s);
    server.received_one<pingreq>();
    server.now = t0 + 12s;
    server.send(pingresp{});
    EXPECT_EQ(s.next_deadline(), t0 + 20s) << "next PINGREQ a keep-alive after the last one";
    s.tick(t0 + 20s);
    server.received_one<pingreq>();
    s.tick(t0 + 29s);
    EXPECT_TRUE(server.events().empty());
    s.tick(t0 + 30s);  // no PINGRESP within the keep-alive interval
    EXPECT_EQ(server.event_one<disconnected_event>().error, client_errc::keep_alive_timeout);
}

TEST(SessionConnect, SendingAnythingPostponesThePing) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    const auto t0 = server.now;
    server.handshake();
    s.publish(publish{false, qos::at_most_once, false, "t", 0, {}, {}}, t0 + 8s);
    server.received();
    EXPECT_EQ(s.next_deadline(), t0 + 18s);
}

TEST(SessionConnect, KeepAliveZeroMeansNoPings) {
    auto options = v5_options();
    options.connect.keep_alive = 0;
    session s(options);
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    EXPECT_FALSE(s.next_deadline());
}

TEST(SessionConnect, ServerDisconnectIsSurfacedWithItsReason) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    disconnect d{disconnect_reason::server_busy, {}};
    d.properties.add(property_id::reason_string, std::string("maintenance"));
    server.send(d);
    const auto e = server.event_one<disconnected_event>();
    EXPECT_TRUE(e.by_server);
    EXPECT_EQ(e.reason, disconnect_reason::server_busy);
    EXPECT_EQ(e.error, client_errc::server_disconnected);
    EXPECT_NE(e.message.find("Server busy (maintenance)"), std::string::npos) << e.message;
    EXPECT_TRUE(s.should_close());
}

TEST(SessionConnect, ClientDisconnectSendsReasonAndCloses) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.received();
    s.disconnect(disconnect_reason::disconnect_with_will_message, {}, server.now);
    EXPECT_EQ(server.received_one<disconnect>().reason_code,
              disconnect_reason::disconnect_with_will_message);
    EXPECT_TRUE(s.should_close());
}

TEST(SessionConnect, MalformedPacketFromServerDisconnectsWith0x81InV5) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    server.send_bytes({0x30, 0xff, 0xff, 0xff, 0xff, 0x01});
    EXPECT_EQ(server.received_one<disconnect>().reason_code, disconnect_reason::malformed_packet);
    EXPECT_EQ(server.event_one<disconnected_event>().error, client_errc::malformed_packet);
    EXPECT_TRUE(s.should_close());
}

TEST(SessionConnect, ProtocolErrorFromServerDisconnectsWith0x82) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    server.send_bytes({0x40, 0x02, 0x00, 0x00});  // PUBACK with packet identifier 0
    EXPECT_EQ(server.received_one<disconnect>().reason_code, disconnect_reason::protocol_error);
    EXPECT_EQ(server.event_one<disconnected_event>().error, client_errc::protocol_error);
}

TEST(SessionConnect, AConnectWithAnUnknownProtocolFromTheServerGetsProtocolErrorNot0x84) {
    // Found by the client_session fuzz target: 0x84 (Unsupported Protocol Version) is the decode
    // error's code but no DISCONNECT reason code; the DISCONNECT sent must decode.
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    server.send_bytes({0x10, 0x06, 0x00, 0x03, 'A', 'B', 'C', 0x05});
    EXPECT_EQ(server.received_one<disconnect>().reason_code, disconnect_reason::protocol_error);
    EXPECT_EQ(server.event_one<disconnected_event>().error, client_errc::protocol_error);
}

TEST(SessionConnect, MalformedPacketInV311JustCloses) {
    session_options o;
    o.connect.version = protocol_version::v3_1_1;
    session s(o);
    scripted_server server(s, protocol_version::v3_1_1);
    server.handshake();
    server.events();
    server.send_bytes({0x30, 0x02, 0x00, 0x00});  // empty topic name
    EXPECT_TRUE(server.received().empty()) << "no DISCONNECT from a 3.1.1 client";
    EXPECT_TRUE(s.should_close());
}

TEST(SessionConnect, PacketBeforeConnackIsAProtocolError) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    s.start(server.now);
    server.received();
    server.send(pingresp{});
    EXPECT_EQ(server.event_one<disconnected_event>().error, client_errc::protocol_error);
}

TEST(SessionConnect, ClientOnlyPacketFromServerIsAProtocolError) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    server.send(pingreq{});
    EXPECT_EQ(server.event_one<disconnected_event>().error, client_errc::protocol_error);
}

TEST(SessionConnect, EnhancedAuthChallengeIsAnEventAndTheAnswerIsSent) {
    auto options = v5_options();
    options.connect.properties.add(property_id::authentication_method, std::string("SCRAM"));
    session s(options);
    scripted_server server(s, protocol_version::v5);
    s.start(server.now);
    server.received();
    auth challenge{auth_reason::continue_authentication, {}};
    challenge.properties.add(property_id::authentication_method, std::string("SCRAM"));
    challenge.properties.add(property_id::authentication_data, binary{1, 2});
    server.send(challenge);
    EXPECT_EQ(server.event_one<auth_event>().packet, challenge);
    auth answer{auth_reason::continue_authentication, {}};
    answer.properties.add(property_id::authentication_method, std::string("SCRAM"));
    s.send_auth(answer, server.now);
    EXPECT_EQ(server.received_one<auth>(), answer);
    server.send(connack{});
    server.event_one<connected_event>();
}

}  // namespace
}  // namespace harness::client
