// End-to-end tests of run_scenario on an external broker (Debian mosquitto on a free port): the
// tutorial example passes; client ids and topics carry the run's prefix, so that scenarios of a
// run sharing the broker do not see each other's messages; a scenario with a fault step is
// skipped with its reason; and an unreachable broker is an error that names the connect failure.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "harness/transport/url.hpp"
#include "run_test_support.hpp"
#include "support/mosquitto_broker.hpp"

namespace harness::runner {
namespace {

using namespace test;

transport::broker_url url(const std::string& text) {
    std::string error;
    auto u = transport::parse_broker_url(text, error);
    if (!u)
        throw std::runtime_error(error);
    return *u;
}

class RunExternalBroker : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { broker_ = std::make_unique<test_support::mosquitto_broker>(); }
    static void TearDownTestSuite() { broker_.reset(); }

    /// Options for scenario `index` of run "ext" on the mosquitto broker.
    static run_options on_mosquitto(std::uint64_t index) {
        auto o = quick_options();
        o.broker = url("mqtt://127.0.0.1:" + std::to_string(broker_->port()));
        o.run_id = "ext";
        o.scenario_index = index;
        return o;
    }

    static inline std::unique_ptr<test_support::mosquitto_broker> broker_;
};

TEST_F(RunExternalBroker, TutorialExamplePassesWithPrefixedClientIdsAndTopics) {
    auto loaded = scenario::load_file(HARNESS_EXAMPLES_DIR "/tutorial.yaml");
    ASSERT_TRUE(loaded.ok());
    ASSERT_EQ(loaded.file.scenarios.size(), 1u);
    const auto r = run_scenario(loaded.file.scenarios[0], on_mosquitto(4));
    ASSERT_EQ(r.outcome, verdict::passed) << report(r) << broker_->log();
    EXPECT_TRUE(traced(r, "subscriber", "CONNECT v5 id=\"subscriber-ext-4\"")) << report(r);
    EXPECT_TRUE(traced(r, "subscriber", "\"harness-ext-4/example_topic\"")) << report(r);
    EXPECT_TRUE(traced(r, "publisher", "\"harness-ext-4/example_topic\"")) << report(r);
}

TEST_F(RunExternalBroker, ScenariosWithOtherIndexesDoNotSeeEachOthersMessages) {
    const auto first = run_yaml(R"yaml(
clients: [{name: pub}, {name: sub}]
steps:
  - subscribe: {client: sub, topic: shared/t}
  - publish: {client: pub, topic: shared/t, payload: mine, qos: 1, retain: true}
  - expect: {client: sub, topic: shared/t, payload: mine}
)yaml",
                                on_mosquitto(1));
    ASSERT_EQ(first.outcome, verdict::passed) << report(first);

    const auto late_subscriber = std::string(R"yaml(
clients: [{name: sub}]
steps:
  - subscribe: {client: sub, topic: "shared/#"}
  - expect_none: {client: sub, topic: "shared/#", for: 300ms}
)yaml");
    const auto other = run_yaml(late_subscriber, on_mosquitto(2));
    EXPECT_EQ(other.outcome, verdict::passed) << report(other);

    // The control: with the first scenario's index the retained message is there.
    const auto same = run_yaml(late_subscriber, on_mosquitto(1));
    ASSERT_EQ(same.outcome, verdict::failed) << report(same);
    ASSERT_TRUE(same.fail);
    ASSERT_EQ(same.fail->seen.size(), 1u) << report(same);
    EXPECT_EQ(same.fail->seen[0].topic, "shared/t");  // shown without the prefix
    EXPECT_EQ(same.fail->seen[0].payload, "mine");
    EXPECT_TRUE(same.fail->seen[0].retain);
}

TEST_F(RunExternalBroker, FaultScenarioIsSkippedWithTheReason) {
    const auto r = run_yaml(R"yaml(
clients: [{name: pub}]
steps:
  - fault: {action: drop, packet: publish}
  - publish: {client: pub, topic: t, payload: x}
)yaml",
                            on_mosquitto(3));
    EXPECT_EQ(r.outcome, verdict::skipped) << report(r);
    EXPECT_TRUE(has(r.skip_reason, "fault injection")) << report(r);
    EXPECT_TRUE(has(r.skip_reason, "embedded broker")) << report(r);
    EXPECT_FALSE(r.fail);
}

TEST(RunUnreachableBroker, IsAnErrorNamingTheConnectFailure) {
    auto o = quick_options();
    o.broker = url("mqtt://127.0.0.1:1");
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}]
steps:
  - subscribe: {client: sub, topic: t}
)yaml",
                            o);
    ASSERT_EQ(r.outcome, verdict::error) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "client sub could not connect to mqtt://127.0.0.1:1"))
        << report(r);
    EXPECT_LT(r.seconds, 2.5) << report(r);
}

}  // namespace
}  // namespace harness::runner
