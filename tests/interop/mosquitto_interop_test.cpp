// Interop with Debian's mosquitto and its command-line clients at MQTT 3.1, 3.1.1 and 5.0: the
// traffic of real sessions (QoS 0/1/2, retain, a will, 5.0 properties), captured by the relay,
// must decode packet by packet and re-encode to exactly the bytes on the wire.
#include <gtest/gtest.h>

#include <initializer_list>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "pubsub_session.hpp"

namespace harness::interop {
namespace {

using codec::packet_type;
using codec::property_id;
using codec::protocol_version;

enum class direction { to_broker, to_client };

std::vector<publication> basic_publications() {
    return {
        {"interop/qos0", "message at qos 0", {"-q", "0"}},
        {"interop/qos1", "message at qos 1", {"-q", "1"}},
        {"interop/qos2", "message at qos 2", {"-q", "2"}},
        {"interop/retained", "retained message", {"-q", "1", "-r"}},
    };
}

/// Flattens command-line options given one option (with its arguments) per group.
std::vector<std::string> options(std::initializer_list<std::vector<std::string>> groups) {
    std::vector<std::string> words;
    for (const auto& group : groups)
        words.insert(words.end(), group.begin(), group.end());
    return words;
}

session_plan v5_plan() {
    session_plan plan{protocol_version::v5, "mqttv5", {}, basic_publications()};
    plan.subscriber_options = options({
        {"-D", "connect", "user-property", "k", "v"},
        {"-D", "connect", "session-expiry-interval", "30"},
        {"-D", "will", "user-property", "w", "x"},
        {"-D", "subscribe", "user-property", "s", "t"},
        {"-D", "subscribe", "subscription-identifier", "7"},
    });
    plan.publications.push_back({"interop/properties", "message with properties",
                                 options({
                                     {"-q", "2"},
                                     {"-D", "publish", "user-property", "a", "b"},
                                     {"-D", "publish", "content-type", "text/plain"},
                                     {"-D", "publish", "payload-format-indicator", "1"},
                                     {"-D", "publish", "message-expiry-interval", "60"},
                                     {"-D", "publish", "correlation-data", "request-1"},
                                     {"-D", "publish", "response-topic", "interop/reply"},
                                     {"-D", "disconnect", "user-property", "d", "e"},
                                 })});
    // Nobody subscribes to these: mosquitto answers the PUBLISH at QoS 1 with reason code
    // "No matching subscribers" (its PUBREC for QoS 2 says Success).
    plan.publications.push_back({"unheard/qos1", "to nobody", {"-q", "1"}});
    plan.publications.push_back(
        {"unheard/qos2", "to nobody", {"-q", "2", "-D", "publish", "topic-alias", "1"}});
    return plan;
}

/// Every decoded packet of type P sent in one direction, over all connections.
template <class P>
std::vector<const P*> packets_of(const session_result& result, direction dir) {
    std::vector<const P*> found;
    for (const auto& connection : result.connections) {
        const auto& packets =
            dir == direction::to_broker ? connection.to_broker : connection.to_client;
        for (const auto& checked : packets) {
            if (const auto* p = std::get_if<P>(&checked.packet))
                found.push_back(p);
        }
    }
    return found;
}

bool has_user_property(const codec::property_list& properties, const std::string& key,
                       const std::string& value) {
    for (const auto& [k, v] : properties.user_properties()) {
        if (k == key && v == value)
            return true;
    }
    return false;
}

template <class P, class Pred>
bool any(const session_result& result, direction dir, Pred pred) {
    for (const P* p : packets_of<P>(result, dir)) {
        if (pred(*p))
            return true;
    }
    return false;
}

/// What every protocol level must show.
void expect_common(const session_plan& plan, const session_result& result) {
    for (const auto& failure : result.failures)
        ADD_FAILURE() << failure;
    EXPECT_TRUE(result.failures.empty()) << result.failures.size() << " packets failed the check";

    for (const auto& p : plan.publications) {
        if (!heard(p))
            continue;
        EXPECT_NE(result.subscriber_output.find(p.topic + " " + p.message + "\n"),
                  std::string::npos)
            << "mosquitto_sub did not print " << p.topic << "; it printed:\n"
            << result.subscriber_output;
    }
    EXPECT_EQ(result.retained_output, "interop/retained retained message\n");

    std::set<packet_type> seen;
    for (const auto& connection : result.connections) {
        for (const auto* packets : {&connection.to_broker, &connection.to_client}) {
            for (const auto& checked : *packets)
                seen.insert(codec::type_of(checked.packet));
        }
    }
    for (const auto type :
         {packet_type::connect, packet_type::connack, packet_type::publish, packet_type::puback,
          packet_type::pubrec, packet_type::pubrel, packet_type::pubcomp, packet_type::subscribe,
          packet_type::suback, packet_type::disconnect}) {
        EXPECT_TRUE(seen.contains(type)) << "no " << codec::to_string(type) << " was captured";
    }

    const auto connects = packets_of<codec::connect>(result, direction::to_broker);
    EXPECT_EQ(connects.size(), result.connections.size());
    for (const auto* c : connects)
        EXPECT_EQ(c->version, plan.version);
    EXPECT_TRUE(any<codec::connect>(result, direction::to_broker, [](const auto& c) {
        return c.will && c.will->topic == "interop/will" &&
               c.will->payload == codec::binary{'b', 'y', 'e'} &&
               c.will->qos == codec::qos::at_least_once && c.will->retain;
    })) << "no CONNECT carried the will";

    for (const auto dir : {direction::to_broker, direction::to_client}) {
        for (const auto q :
             {codec::qos::at_most_once, codec::qos::at_least_once, codec::qos::exactly_once}) {
            EXPECT_TRUE(any<codec::publish>(result, dir, [q](const auto& p) { return p.qos == q; }))
                << "no PUBLISH at QoS " << static_cast<int>(q) << " towards the "
                << (dir == direction::to_broker ? "broker" : "client");
        }
        EXPECT_TRUE(any<codec::publish>(result, dir, [](const auto& p) { return p.retain; }))
            << "no retained PUBLISH towards the "
            << (dir == direction::to_broker ? "broker" : "client");
    }
}

TEST(mosquitto_interop, mqtt_3_1) {
    const session_plan plan{protocol_version::v3_1, "mqttv31", {}, basic_publications()};
    session_result result;
    ASSERT_NO_FATAL_FAILURE(run_session(plan, result));
    expect_common(plan, result);
}

TEST(mosquitto_interop, mqtt_3_1_1) {
    const session_plan plan{protocol_version::v3_1_1, "mqttv311", {}, basic_publications()};
    session_result result;
    ASSERT_NO_FATAL_FAILURE(run_session(plan, result));
    expect_common(plan, result);
}

TEST(mosquitto_interop, mqtt_5) {
    const session_plan plan = v5_plan();
    session_result result;
    ASSERT_NO_FATAL_FAILURE(run_session(plan, result));
    expect_common(plan, result);

    constexpr auto to_broker = direction::to_broker;
    constexpr auto to_client = direction::to_client;
    EXPECT_TRUE(any<codec::connect>(result, to_broker, [](const auto& c) {
        return has_user_property(c.properties, "k", "v") &&
               c.properties.integer(property_id::session_expiry_interval) == 30u && c.will &&
               has_user_property(c.will->properties, "w", "x");
    })) << "no CONNECT with the user property k=v, session expiry 30 and will property w=x";
    EXPECT_TRUE(any<codec::connack>(result, to_client, [](const auto& c) {
        return c.properties.contains(property_id::assigned_client_identifier);
    })) << "no CONNACK assigned a client identifier";
    EXPECT_TRUE(any<codec::subscribe>(result, to_broker, [](const auto& s) {
        return has_user_property(s.properties, "s", "t") &&
               s.properties.subscription_identifiers() == std::vector<std::uint32_t>{7};
    })) << "no SUBSCRIBE with the user property s=t and subscription identifier 7";

    const auto has_message_properties = [](const codec::publish& p) {
        const auto* correlation = p.properties.binary_data(property_id::correlation_data);
        const auto* content_type = p.properties.string(property_id::content_type);
        const auto* response_topic = p.properties.string(property_id::response_topic);
        return has_user_property(p.properties, "a", "b") && content_type != nullptr &&
               *content_type == "text/plain" && response_topic != nullptr &&
               *response_topic == "interop/reply" && correlation != nullptr &&
               std::string(correlation->begin(), correlation->end()) == "request-1" &&
               p.properties.integer(property_id::payload_format_indicator) == 1u &&
               p.properties.integer(property_id::message_expiry_interval).has_value();
    };
    EXPECT_TRUE(any<codec::publish>(result, to_broker, has_message_properties))
        << "no PUBLISH to the broker with all the message properties";
    EXPECT_TRUE(any<codec::publish>(result, to_client, [&](const codec::publish& p) {
        return has_message_properties(p) &&
               p.properties.subscription_identifiers() == std::vector<std::uint32_t>{7};
    })) << "no PUBLISH to the subscriber with the message properties and subscription identifier";
    EXPECT_TRUE(any<codec::disconnect>(result, to_broker, [](const auto& d) {
        return has_user_property(d.properties, "d", "e");
    })) << "no DISCONNECT with the user property d=e";

    EXPECT_TRUE(any<codec::publish>(result, to_broker, [](const auto& p) {
        return p.topic == "unheard/qos2" && p.properties.integer(property_id::topic_alias) == 1u;
    })) << "no PUBLISH with a topic alias";
    EXPECT_TRUE(any<codec::puback>(result, to_client, [](const auto& p) {
        return p.reason_code == codec::puback_reason::no_matching_subscribers;
    })) << "no PUBACK with reason code No matching subscribers";
}

}  // namespace
}  // namespace harness::interop
