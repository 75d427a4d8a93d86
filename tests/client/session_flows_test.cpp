// Client session: QoS 0/1/2 in both directions, the Receive Maximum window, redelivery on
// reconnect, topic aliases, subscribe and unsubscribe, server limits.
#include "scripted_server.hpp"

namespace harness::client {
namespace {

using namespace codec;
using namespace test;

session_options v5_options() {
    session_options o;
    o.connect.client_id = "tester";
    o.connect.keep_alive = 0;
    return o;
}

publish message(const char* topic, qos q) {
    publish p;
    p.topic = topic;
    p.qos = q;
    p.payload = {'m'};
    return p;
}

TEST(SessionFlows, Qos0IsSentAndNeedsNoAcknowledgement) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    EXPECT_EQ(*s.publish(message("a", qos::at_most_once), server.now), 0);
    EXPECT_EQ(server.received_one<publish>().topic, "a");
    EXPECT_EQ(s.in_flight(), 0u);
}

TEST(SessionFlows, Qos1CompletesOnPuback) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    const auto id = *s.publish(message("a", qos::at_least_once), server.now);
    const auto sent = server.received_one<publish>();
    EXPECT_EQ(sent.packet_id, id);
    EXPECT_FALSE(sent.dup);
    EXPECT_EQ(s.in_flight(), 1u);
    server.send(puback{id, puback_reason::no_matching_subscribers, {}});
    const auto done = server.event_one<publish_done_event>();
    EXPECT_EQ(done.packet_id, id);
    EXPECT_EQ(done.reason_code, 0x10);
    EXPECT_TRUE(done.ok());
    EXPECT_EQ(s.in_flight(), 0u);
}

TEST(SessionFlows, Qos2GoesThroughPubrecPubrelPubcomp) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    const auto id = *s.publish(message("a", qos::exactly_once), server.now);
    server.received_one<publish>();
    server.send(pubrec{id, pubrec_reason::success, {}});
    EXPECT_EQ(server.received_one<pubrel>().packet_id, id);
    EXPECT_TRUE(server.events().empty());
    server.send(pubcomp{id, pubcomp_reason::success, {}});
    EXPECT_TRUE(server.event_one<publish_done_event>().ok());
    EXPECT_EQ(s.in_flight(), 0u);
}

TEST(SessionFlows, PubrecWithAFailureCodeEndsTheFlow) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    const auto id = *s.publish(message("a", qos::exactly_once), server.now);
    server.received();
    server.send(pubrec{id, pubrec_reason::not_authorized, {}});
    EXPECT_TRUE(server.received().empty()) << "no PUBREL after a failed PUBREC";
    const auto done = server.event_one<publish_done_event>();
    EXPECT_FALSE(done.ok());
    EXPECT_EQ(done.reason_code, 0x87);
}

TEST(SessionFlows, InFlightWindowHonoursTheServersReceiveMaximum) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    connack ack;
    ack.properties.add(property_id::receive_maximum, 2u);
    server.handshake(ack);
    server.events();
    std::vector<std::uint16_t> ids;
    for (int i = 0; i < 5; ++i)
        ids.push_back(*s.publish(message("a", qos::at_least_once), server.now));
    EXPECT_EQ(server.received().size(), 2u);
    EXPECT_EQ(s.in_flight(), 2u);
    EXPECT_EQ(s.queued(), 3u);
    server.send(puback{ids[0], puback_reason::success, {}});
    const auto next = server.received_one<publish>();
    EXPECT_EQ(next.packet_id, ids[2]) << "queued messages go out in order";
    EXPECT_EQ(s.in_flight(), 2u);
}

TEST(SessionFlows, ReconnectWithSessionResendsPublishWithDupAndPubrel) {
    auto options = v5_options();
    options.connect.clean_start = false;
    options.connect.properties.add(property_id::session_expiry_interval, 300u);
    session s(options);
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    const auto first = *s.publish(message("one", qos::at_least_once), server.now);
    const auto second = *s.publish(message("two", qos::exactly_once), server.now);
    const auto third = *s.publish(message("three", qos::exactly_once), server.now);
    server.received();
    server.send(pubrec{third, pubrec_reason::success, {}});  // third awaits PUBCOMP
    server.received_one<pubrel>();
    s.connection_lost(server.now);
    EXPECT_EQ(server.event_one<disconnected_event>().error, client_errc::connection_lost);

    server.handshake(connack{true, connack_reason::success, {}});
    const auto resent = server.received();
    ASSERT_EQ(resent.size(), 3u);
    const auto& p1 = std::get<publish>(resent[0]);
    const auto& p2 = std::get<publish>(resent[1]);
    EXPECT_EQ(p1.packet_id, first);
    EXPECT_TRUE(p1.dup);
    EXPECT_EQ(p2.packet_id, second);
    EXPECT_TRUE(p2.dup);
    EXPECT_EQ(std::get<pubrel>(resent[2]).packet_id, third);
    server.send(pubcomp{third, pubcomp_reason::success, {}});
    server.events();
    EXPECT_EQ(s.in_flight(), 2u);
}

TEST(SessionFlows, ReconnectWithoutSessionFailsWhatWasInFlight) {
    auto options = v5_options();
    options.connect.clean_start = false;
    session s(options);
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    const auto id = *s.publish(message("one", qos::at_least_once), server.now);
    server.received();
    s.connection_lost(server.now);
    server.events();
    server.handshake(connack{false, connack_reason::success, {}});
    const auto events = server.events();
    ASSERT_EQ(events.size(), 2u);
    const auto& lost = std::get<publish_done_event>(events[0]);
    EXPECT_EQ(lost.packet_id, id);
    EXPECT_EQ(lost.error, client_errc::session_lost);
    EXPECT_TRUE(std::holds_alternative<connected_event>(events[1]));
    EXPECT_EQ(s.in_flight(), 0u);
}

TEST(SessionFlows, Qos1PublishedWhileDisconnectedGoesOutAfterConnack) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    EXPECT_EQ(s.publish(message("a", qos::at_most_once), server.now).error(),
              client_errc::not_connected);
    const auto id = *s.publish(message("a", qos::at_least_once), server.now);
    EXPECT_EQ(s.queued(), 1u);
    server.handshake();
    EXPECT_EQ(server.received_one<publish>().packet_id, id);
}

TEST(SessionFlows, IncomingQos1IsDeliveredAndAcknowledged) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    auto p = message("in", qos::at_least_once);
    p.packet_id = 9;
    server.send(p);
    EXPECT_EQ(server.event_one<message_event>().message, p);
    EXPECT_EQ(server.received_one<puback>().packet_id, 9);
}

TEST(SessionFlows, IncomingQos2IsDeliveredOnceDespiteARedelivery) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    auto p = message("in", qos::exactly_once);
    p.packet_id = 4;
    server.send(p);
    server.event_one<message_event>();
    EXPECT_EQ(server.received_one<pubrec>().packet_id, 4);
    p.dup = true;
    server.send(p);
    EXPECT_TRUE(server.events().empty()) << "a redelivered QoS 2 message is not delivered again";
    EXPECT_EQ(server.received_one<pubrec>().packet_id, 4);
    server.send(pubrel{4, pubrel_reason::success, {}});
    EXPECT_EQ(server.received_one<pubcomp>().reason_code, pubcomp_reason::success);
    server.send(pubrel{4, pubrel_reason::success, {}});
    EXPECT_EQ(server.received_one<pubcomp>().reason_code,
              pubcomp_reason::packet_identifier_not_found);
}

TEST(SessionFlows, IncomingQos2BeyondOurReceiveMaximumDisconnects) {
    auto options = v5_options();
    options.connect.properties.add(property_id::receive_maximum, 1u);
    session s(options);
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    auto p = message("in", qos::exactly_once);
    p.packet_id = 1;
    server.send(p);
    server.received();
    server.events();
    p.packet_id = 2;
    server.send(p);
    EXPECT_EQ(server.received_one<disconnect>().reason_code,
              disconnect_reason::receive_maximum_exceeded);
    EXPECT_EQ(server.event_one<disconnected_event>().error, client_errc::receive_maximum_exceeded);
}

TEST(SessionFlows, TopicAliasesAreResolved) {
    auto options = v5_options();
    options.connect.properties.add(property_id::topic_alias_maximum, 5u);
    session s(options);
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    auto first = message("sensors/hall/temp", qos::at_most_once);
    first.properties.add(property_id::topic_alias, 3u);
    server.send(first);
    EXPECT_EQ(server.event_one<message_event>().message.topic, "sensors/hall/temp");
    auto second = message("", qos::at_most_once);
    second.properties.add(property_id::topic_alias, 3u);
    server.send(second);
    EXPECT_EQ(server.event_one<message_event>().message.topic, "sensors/hall/temp");
}

TEST(SessionFlows, TopicAliasAboveOurMaximumDisconnectsWith0x94) {
    auto options = v5_options();
    options.connect.properties.add(property_id::topic_alias_maximum, 5u);
    session s(options);
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    auto p = message("t", qos::at_most_once);
    p.properties.add(property_id::topic_alias, 6u);
    server.send(p);
    EXPECT_EQ(server.received_one<disconnect>().reason_code,
              disconnect_reason::topic_alias_invalid);
    EXPECT_EQ(server.event_one<disconnected_event>().error, client_errc::topic_alias_invalid);
}

TEST(SessionFlows, UnknownTopicAliasIsAProtocolError) {
    auto options = v5_options();
    options.connect.properties.add(property_id::topic_alias_maximum, 5u);
    session s(options);
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    auto p = message("", qos::at_most_once);
    p.properties.add(property_id::topic_alias, 2u);
    server.send(p);
    EXPECT_EQ(server.received_one<disconnect>().reason_code, disconnect_reason::protocol_error);
}

TEST(SessionFlows, ServerDisconnectMidFlowKeepsInFlightMessagesForTheNextConnection) {
    auto options = v5_options();
    options.connect.clean_start = false;
    options.connect.properties.add(property_id::session_expiry_interval, 300u);
    session s(options);
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    const auto id = *s.publish(message("a", qos::at_least_once), server.now);
    server.received();
    server.send(disconnect{disconnect_reason::server_shutting_down, {}});
    EXPECT_EQ(server.event_one<disconnected_event>().reason,
              disconnect_reason::server_shutting_down);
    EXPECT_EQ(s.in_flight(), 1u);
    server.handshake(connack{true, connack_reason::success, {}});
    EXPECT_EQ(server.received_one<publish>().packet_id, id);
}

TEST(SessionFlows, SubscribeAndUnsubscribeComplete) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    property_list props;
    props.add(property_id::subscription_identifier, 7u);
    const auto sub_id = *s.subscribe(
        {{"a/#", qos::exactly_once, true, false, retain_handling::do_not_send}}, props, server.now);
    const auto sent = server.received_one<subscribe>();
    EXPECT_EQ(sent.packet_id, sub_id);
    EXPECT_EQ(sent.properties, props);
    EXPECT_TRUE(sent.subscriptions.at(0).no_local);
    server.send(suback{sub_id, {}, {suback_reason::granted_qos_1}});
    EXPECT_EQ(server.event_one<subscribe_done_event>().reason_codes,
              (std::vector<suback_reason>{suback_reason::granted_qos_1}));

    const auto unsub_id = *s.unsubscribe({"a/#"}, {}, server.now);
    EXPECT_EQ(server.received_one<unsubscribe>().topic_filters, (std::vector<std::string>{"a/#"}));
    server.send(unsuback{unsub_id, {}, {unsuback_reason::success}});
    EXPECT_EQ(server.event_one<unsubscribe_done_event>().packet_id, unsub_id);
}

TEST(SessionFlows, ServerLimitsAreEnforcedOnPublish) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    connack ack;
    ack.properties.add(property_id::maximum_qos, 1u);
    ack.properties.add(property_id::retain_available, 0u);
    ack.properties.add(property_id::maximum_packet_size, 32u);
    server.handshake(ack);
    server.events();
    EXPECT_EQ(s.publish(message("a", qos::exactly_once), server.now).error(),
              client_errc::qos_not_supported);
    auto retained = message("a", qos::at_most_once);
    retained.retain = true;
    EXPECT_EQ(s.publish(retained, server.now).error(), client_errc::retain_not_supported);
    auto big = message("a", qos::at_least_once);
    big.payload.assign(64, 0);
    EXPECT_EQ(s.publish(big, server.now).error(), client_errc::packet_too_large);
    EXPECT_TRUE(server.received().empty());
}

TEST(SessionFlows, PacketIdentifiersAreUniqueWhileInUse) {
    session s(v5_options());
    scripted_server server(s, protocol_version::v5);
    server.handshake();
    server.events();
    std::set<std::uint16_t> ids;
    for (int i = 0; i < 100; ++i)
        ids.insert(*s.publish(message("a", qos::at_least_once), server.now));
    EXPECT_EQ(ids.size(), 100u);
    EXPECT_EQ(ids.count(0), 0u);
}

TEST(SessionFlows, V311FlowsUseNoReasonCodes) {
    session_options o;
    o.connect.version = protocol_version::v3_1_1;
    session s(o);
    scripted_server server(s, protocol_version::v3_1_1);
    server.handshake();
    server.events();
    const auto id = *s.publish(message("a", qos::exactly_once), server.now);
    server.received();
    server.send(pubrec{id, {}, {}});
    EXPECT_EQ(server.received_one<pubrel>().packet_id, id);
    server.send(pubcomp{id, {}, {}});
    EXPECT_TRUE(server.event_one<publish_done_event>().ok());
}

}  // namespace
}  // namespace harness::client
