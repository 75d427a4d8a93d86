// Running an interop session: the programs, their order, and the bounded waits between them.
#include "pubsub_session.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <memory>

#include "support/child_process.hpp"
#include "support/mosquitto_broker.hpp"
#include "tcp_relay.hpp"

namespace harness::interop {
namespace {

using test_support::child_process;
using test_support::find_executable;
using test_support::mosquitto_broker;
using test_support::mosquitto_program;

constexpr auto step_timeout = std::chrono::milliseconds{10'000};

std::vector<std::string> concat(std::vector<std::string> front,
                                const std::vector<std::string>& back) {
    front.insert(front.end(), back.begin(), back.end());
    return front;
}

void require_tools() {
    for (const auto& tool :
         {mosquitto_program(), std::string("mosquitto_sub"), std::string("mosquitto_pub")}) {
        ASSERT_TRUE(find_executable(tool).has_value())
            << tool << " not found. The interop tests need Debian's mosquitto and its clients: "
            << "apt-get install mosquitto mosquitto-clients (set HARNESS_MOSQUITTO for a broker "
            << "elsewhere than /usr/sbin/mosquitto).";
    }
}

std::string details(const child_process& program, const mosquitto_broker& broker) {
    return "\n  command: " + program.command() + "\n  stdout: " + program.output() +
           "\n  stderr: " + program.errors() + "\n  broker log:\n" + broker.log();
}

/// Waits for a client that should finish on its own, and requires exit status 0.
void expect_success(child_process& program, const mosquitto_broker& broker) {
    const auto status = program.wait_for(step_timeout);
    ASSERT_TRUE(status.has_value()) << "did not exit in time" << details(program, broker);
    ASSERT_EQ(*status, 0) << "failed" << details(program, broker);
}

bool subscribed(const std::vector<captured_connection>& connections) {
    return std::any_of(connections.begin(), connections.end(), [](const auto& c) {
        return contains_packet(c.broker_to_client, codec::packet_type::suback);
    });
}

bool all_closed(const std::vector<captured_connection>& connections) {
    return std::all_of(connections.begin(), connections.end(),
                       [](const auto& c) { return c.closed; });
}

}  // namespace

void run_session(const session_plan& plan, session_result& result) {
    ASSERT_NO_FATAL_FAILURE(require_tools());
    const auto retained =
        std::find_if(plan.publications.begin(), plan.publications.end(), [](const publication& p) {
            return std::find(p.options.begin(), p.options.end(), "-r") != p.options.end();
        });
    ASSERT_NE(retained, plan.publications.end()) << "the plan needs a retained publication";

    std::unique_ptr<mosquitto_broker> broker;
    try {
        broker = std::make_unique<mosquitto_broker>();
    } catch (const std::exception& e) {
        FAIL() << "cannot start " << mosquitto_program() << ": " << e.what();
    }
    tcp_relay relay(broker->port());
    const std::vector<std::string> client = {
        "-h", "127.0.0.1", "-p", std::to_string(relay.port()), "-V", plan.version_option};

    // The subscriber exits by itself after one message per publication it hears.
    const auto heard_count =
        std::count_if(plan.publications.begin(), plan.publications.end(), heard);
    child_process subscriber(
        "mosquitto_sub",
        concat(concat(client, {"-t", std::string(topic_prefix) + "#", "-q", "2", "-v", "-C",
                               std::to_string(heard_count), "--will-topic",
                               std::string(topic_prefix) + "will", "--will-payload", "bye",
                               "--will-qos", "1", "--will-retain"}),
               plan.subscriber_options));
    ASSERT_TRUE(relay.wait_until(subscribed, step_timeout))
        << "no SUBACK reached mosquitto_sub" << details(subscriber, *broker);

    for (const auto& p : plan.publications) {
        child_process publisher(
            "mosquitto_pub", concat(concat(client, {"-t", p.topic, "-m", p.message}), p.options));
        ASSERT_NO_FATAL_FAILURE(expect_success(publisher, *broker));
    }
    ASSERT_NO_FATAL_FAILURE(expect_success(subscriber, *broker));
    result.subscriber_output = subscriber.output();

    // A subscriber that arrives later gets the retained message, with the retain flag set.
    child_process late("mosquitto_sub",
                       concat(client, {"-t", retained->topic, "-q", "1", "-C", "1", "-v"}));
    ASSERT_NO_FATAL_FAILURE(expect_success(late, *broker));
    result.retained_output = late.output();

    ASSERT_TRUE(relay.wait_until(all_closed, step_timeout))
        << "a relayed connection did not close" << details(late, *broker);
    const auto captures = relay.captures();
    ASSERT_EQ(captures.size(), plan.publications.size() + 2)
        << "expected one connection per program run";

    for (std::size_t i = 0; i < captures.size(); ++i) {
        ASSERT_FALSE(captures[i].broker_connect_failed) << "relay could not reach the broker";
        const std::string label = "connection " + std::to_string(i);
        auto up =
            check_stream(captures[i].client_to_broker, plan.version, label + " client->broker");
        auto down =
            check_stream(captures[i].broker_to_client, plan.version, label + " broker->client");
        for (auto* report : {&up, &down}) {
            result.failures.insert(result.failures.end(), report->failures.begin(),
                                   report->failures.end());
        }
        result.connections.push_back({std::move(up.packets), std::move(down.packets)});
    }
}

}  // namespace harness::interop
