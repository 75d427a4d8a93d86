// The project's own client against the embedded broker: 5.0 subscription identifiers (merged
// over overlapping subscriptions), QoS 1 and 2 with their properties, session resumption with
// clean start off at 3.1.1 and 5.0, and the will of a client that drops its connection.
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/broker/server.hpp"
#include "peers.hpp"

namespace harness::broker_interop {
namespace {

namespace asio = boost::asio;
using codec::property_id;
using codec::qos;

// Helpers outside the coroutines: GCC 12 rejects braced lists of temporaries in coroutines.

std::vector<codec::subscription> filter(std::string topic, qos q) {
    std::vector<codec::subscription> s(1);
    s[0].topic_filter = std::move(topic);
    s[0].max_qos = q;
    return s;
}

std::vector<codec::suback_reason> granted(qos q) {
    return {static_cast<codec::suback_reason>(q)};
}

codec::publish with_properties(codec::publish m) {
    m.properties.add_user_property("k", "1");
    m.properties.add_user_property("j", "2");
    m.properties.add_user_property("k", "3");
    m.properties.add(property_id::content_type, std::string("text/plain"));
    m.properties.add(property_id::response_topic, std::string("ac/reply"));
    m.properties.add(property_id::correlation_data, codec::binary{0x00, 0xff, 0x10});
    m.properties.add(property_id::message_expiry_interval, 600u);
    return m;
}

/// What with_properties() set, as the subscriber must get it, with identifiers 7 and 300.
void expect_forwarded_properties(const codec::publish& got) {
    auto ids = got.properties.subscription_identifiers();
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<std::uint32_t>{7, 300}));
    EXPECT_EQ(got.properties.user_properties(),
              (std::vector<codec::string_pair>{{"k", "1"}, {"j", "2"}, {"k", "3"}}));
    const auto* content_type = got.properties.string(property_id::content_type);
    EXPECT_TRUE(content_type && *content_type == "text/plain");
    const auto* response_topic = got.properties.string(property_id::response_topic);
    EXPECT_TRUE(response_topic && *response_topic == "ac/reply");
    const auto* correlation = got.properties.binary_data(property_id::correlation_data);
    EXPECT_TRUE(correlation && *correlation == (codec::binary{0x00, 0xff, 0x10}));
    const auto expiry = got.properties.integer(property_id::message_expiry_interval);
    EXPECT_TRUE(expiry && *expiry > 0 && *expiry <= 600) << expiry.value_or(0);
}

codec::will_message will_of(std::string topic) {
    codec::will_message will;
    will.topic = std::move(topic);
    will.payload = {'b', 'y', 'e'};
    will.qos = qos::at_least_once;
    will.properties.add_user_property("why", "abort");
    return will;
}

void expect_will(const std::optional<codec::publish>& m) {
    ASSERT_TRUE(m.has_value()) << "no will";
    EXPECT_EQ(std::string(m->payload.begin(), m->payload.end()), "bye");
    EXPECT_EQ(m->qos, qos::at_least_once);
    EXPECT_EQ(m->properties.user_properties(), (std::vector<codec::string_pair>{{"why", "abort"}}));
}

codec::property_list subscription_id(std::uint32_t id) {
    codec::property_list p;
    p.add(property_id::subscription_identifier, id);
    return p;
}

std::string text(const codec::binary& b) {
    return {b.begin(), b.end()};
}

TEST(ProjectClient, SubscriptionIdentifiersAndPropertiesReachTheSubscriber) {
    broker::embedded_broker b;
    run_bounded([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        client::async_client sub(ex, client_options_for(b.port(), "ac-sub"));
        client::async_client pub(ex, client_options_for(b.port(), "ac-pub"));
        EXPECT_TRUE(co_await sub.connect());
        EXPECT_TRUE(co_await pub.connect());
        const auto one =
            co_await sub.subscribe(filter("ac/props/+", qos::exactly_once), subscription_id(7));
        EXPECT_EQ(one.reason_codes, granted(qos::exactly_once));
        const auto two =
            co_await sub.subscribe(filter("ac/#", qos::at_least_once), subscription_id(300));
        EXPECT_EQ(two.reason_codes, granted(qos::at_least_once));

        for (const auto q : {qos::at_least_once, qos::exactly_once}) {
            const auto m =
                with_properties(make_message("ac/props/x", "at qos " + std::to_string(int(q)), q));
            const auto r = co_await pub.publish(m);
            EXPECT_TRUE(r) << r.message;
            EXPECT_EQ(r.reason_code, 0) << "someone subscribes, so no 0x10";

            const auto got = co_await sub.next_message(step);
            if (!got) {
                ADD_FAILURE() << "no message at QoS " << int(q);
                continue;
            }
            EXPECT_EQ(text(got->payload), text(m.payload));
            // One copy for both subscriptions, at the highest QoS they grant ([MQTT-3.3.4-2]).
            EXPECT_EQ(got->qos, q);
            expect_forwarded_properties(*got);
        }
        // Overlapping subscriptions must not deliver twice: what comes next is the sentinel.
        EXPECT_TRUE(
            co_await pub.publish(make_message("ac/props/x", "sentinel", qos::at_least_once)));
        const auto next = co_await sub.next_message(step);
        EXPECT_TRUE(next && text(next->payload) == "sentinel")
            << (next ? text(next->payload) : "nothing");

        // Nobody subscribes to this one: 5.0 says so in the PUBACK.
        const auto r = co_await pub.publish(make_message("nobody/here", "x", qos::at_least_once));
        EXPECT_EQ(r.reason_code, 0x10);
        co_await pub.disconnect();
        co_await sub.disconnect();
    });
}

class SessionResumption : public ::testing::TestWithParam<codec::protocol_version> {};

TEST_P(SessionResumption, CleanStartOffReceivesWhatWasPublishedWhileAway) {
    const auto version = GetParam();
    broker::embedded_broker b;
    run_bounded([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        auto options = client_options_for(b.port(), "ac-resume", version);
        options.session.connect.clean_start = false;
        if (version == codec::protocol_version::v5)
            options.session.connect.properties.add(property_id::session_expiry_interval, 300u);
        client::async_client sub(ex, options);
        const auto first = co_await sub.connect();
        EXPECT_TRUE(first) << first.message;
        EXPECT_FALSE(first.connack->session_present);
        EXPECT_TRUE(co_await sub.subscribe(filter("ac/resume/#", qos::exactly_once)));
        co_await sub.disconnect();

        client::async_client pub(ex, client_options_for(b.port(), "ac-resume-pub", version));
        EXPECT_TRUE(co_await pub.connect());
        const std::vector<qos> levels = {qos::at_least_once, qos::exactly_once, qos::at_least_once};
        for (std::size_t k = 0; k < levels.size(); ++k) {
            EXPECT_TRUE(co_await pub.publish(make_message("ac/resume/" + std::to_string(k),
                                                          "away " + std::to_string(k), levels[k])));
        }
        // QoS 0 is not queued for an offline session (Mosquitto's default too).
        EXPECT_TRUE(co_await pub.publish(make_message("ac/resume/0", "qos 0", qos::at_most_once)));

        const auto again = co_await sub.connect();
        EXPECT_TRUE(again) << again.message;
        EXPECT_TRUE(again.connack && again.connack->session_present);
        for (std::size_t k = 0; k < levels.size(); ++k) {
            const auto m = co_await sub.next_message(step);
            if (!m) {
                ADD_FAILURE() << "message " << k << " published while away never came";
                break;
            }
            EXPECT_EQ(m->topic, "ac/resume/" + std::to_string(k));
            EXPECT_EQ(text(m->payload), "away " + std::to_string(k));
            EXPECT_EQ(m->qos, levels[k]);
        }
        // The subscription came back with the session: live messages flow without SUBSCRIBE.
        EXPECT_TRUE(
            co_await pub.publish(make_message("ac/resume/live", "live", qos::at_least_once)));
        const auto live = co_await sub.next_message(step);
        EXPECT_TRUE(live && text(live->payload) == "live");
        co_await pub.disconnect();
        co_await sub.disconnect();
    });
}

INSTANTIATE_TEST_SUITE_P(Versions, SessionResumption,
                         ::testing::Values(codec::protocol_version::v3_1_1,
                                           codec::protocol_version::v5),
                         [](const auto& info) {
                             return info.param == codec::protocol_version::v5 ? "v5" : "v311";
                         });

TEST(ProjectClient, AbortedConnectionPublishesTheWill) {
    broker::embedded_broker b;
    run_bounded([&](asio::any_io_executor ex) -> asio::awaitable<void> {
        client::async_client watcher(ex, client_options_for(b.port(), "ac-watcher"));
        EXPECT_TRUE(co_await watcher.connect());
        EXPECT_TRUE(co_await watcher.subscribe(filter("ac/will", qos::at_least_once)));

        auto options = client_options_for(b.port(), "ac-doomed");
        options.session.connect.will = will_of("ac/will");
        client::async_client doomed(ex, options);
        EXPECT_TRUE(co_await doomed.connect());
        doomed.abort();  // no DISCONNECT

        expect_will(co_await watcher.next_message(step));
        co_await watcher.disconnect();
    });
}

}  // namespace
}  // namespace harness::broker_interop
