// End-to-end tests of run_scenario for what reacts and interferes while the steps run: stand-ins
// (5.0 request/response with response topic and correlation data, trigger values in replies,
// the reaction count) and fault injection on the embedded broker (a dropped publish, a client
// disconnected by the broker so that its will goes out, a delayed publish).
#include <gtest/gtest.h>

#include <string>

#include "run_test_support.hpp"

namespace harness::runner {
namespace {

using namespace test;

constexpr const char* request_response = R"yaml(
clients: [{name: app}]
stand_ins:
  - name: service
    on: {topic: "service/+/request", payload: {json_path: $.id}}
    publish:
      topic: "{{trigger.response_topic}}"
      qos: 1
      payload:
        json: {service: "{{trigger.levels[1]}}", id: "{{trigger.json.id}}", status: ok}
steps:
  - subscribe: {client: app, topic: replies/app, qos: 1}
  - id: request
    publish:
      client: app
      topic: service/clock/request
      qos: 1
      payload: {json: {id: 7, query: time}}
      properties: {response_topic: replies/app, correlation_data: req-7}
  - expect:
      client: app
      topic: replies/app
      payload: {json: {service: clock, id: "7", status: ok}}
      properties: {correlation_data: CORRELATION}
      within: 1s
      latency: 1s
      after: request
)yaml";

std::string expecting_correlation(const std::string& data) {
    std::string yaml = request_response;
    yaml.replace(yaml.find("CORRELATION"), 11, data);
    return yaml;
}

TEST(RunStandIns, ReplyGoesToTheResponseTopicWithTheTriggersCorrelationData) {
    const auto r = run_yaml(expecting_correlation("req-7"));
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
    EXPECT_TRUE(traced(r, "service",
                       "stand-in reacts to \"service/clock/request\": publishes to "
                       "\"replies/app\""))
        << report(r);
}

TEST(RunStandIns, ReplyWithOtherCorrelationDataFailsTheExpect) {
    const auto r = run_yaml(expecting_correlation("req-8"));
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "correlation_data \"req-8\" did not arrive")) << report(r);
    ASSERT_FALSE(r.fail->seen.empty()) << report(r);
    EXPECT_EQ(r.fail->seen[0].note, "correlation data \"req-7\", expected \"req-8\"") << report(r);
    // The trigger values are in the reply that came.
    EXPECT_EQ(r.fail->seen[0].payload, R"({"service":"clock","id":"7","status":"ok"})");
}

TEST(RunStandIns, RequestNotMatchingTheTriggerGetsNoReply) {
    const auto r = run_yaml(R"yaml(
clients: [{name: app}]
stand_ins:
  - name: service
    on: {topic: "service/+/request", payload: {json_path: $.id}}
    publish: {topic: replies/app, payload: answer}
steps:
  - subscribe: {client: app, topic: replies/app}
  - publish: {client: app, topic: service/clock/request, payload: {json: {no_id: 1}}}
  - expect_none: {client: app, topic: replies/app, for: 300ms}
  - publish: {client: app, topic: service/clock/request, payload: {json: {id: 1}}}
  - expect: {client: app, topic: replies/app, payload: answer}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
}

TEST(RunStandIns, StandInStopsReactingAfterItsCount) {
    const auto r = run_yaml(R"yaml(
clients: [{name: app}]
stand_ins:
  - name: once
    on: {topic: req}
    count: 1
    publish: {topic: rep, payload: "re {{trigger.payload}}"}
steps:
  - subscribe: {client: app, topic: rep}
  - publish: {client: app, topic: req, payload: a}
  - expect: {client: app, topic: rep, payload: re a}
  - publish: {client: app, topic: req, payload: b}
  - expect_none: {client: app, topic: rep, for: 300ms}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
    int reactions = 0;
    for (const auto& e : r.trace)
        reactions += e.actor == "once" && e.what.starts_with("stand-in reacts");
    EXPECT_EQ(reactions, 1) << report(r);
}

TEST(RunStandIns, StandInWithoutCountAnswersEveryTrigger) {
    const auto r = run_yaml(R"yaml(
clients: [{name: app}]
stand_ins:
  - name: always
    on: {topic: req}
    publish: {topic: rep, payload: "re {{trigger.payload}}"}
steps:
  - subscribe: {client: app, topic: rep}
  - publish: {client: app, topic: req, payload: a}
  - publish: {client: app, topic: req, payload: b}
  - expect:
      client: app
      messages: [{topic: rep, payload: re a}, {topic: rep, payload: re b}]
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
}

TEST(RunStandIns, ReplyStillDelayedWhenTheStepsEndIsNotSent) {
    const auto r = run_yaml(R"yaml(
clients: [{name: app}]
stand_ins:
  - name: slow
    on: {topic: req}
    delay: 2s
    publish: {topic: rep, payload: late}
steps:
  - subscribe: {client: app, topic: rep}
  - publish: {client: app, topic: req, payload: q}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
    EXPECT_LT(r.seconds, 1.5) << "the scenario waited for the stand-in" << report(r);
    EXPECT_FALSE(traced(r, "slow", "stand-in reacts")) << report(r);
}

// --- fault injection -----------------------------------------------------------------------

TEST(RunFaults, DroppedPublishIsNotDeliveredAndTheNextOneIs) {
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: "t/#"}
  - fault: {action: drop, packet: publish, client: pub, topic: "t/#", count: 1}
  - publish: {client: pub, topic: t/a, payload: one}
  - expect_none: {client: sub, topic: "t/#", for: 300ms}
  - publish: {client: pub, topic: t/a, payload: two}
  - expect: {client: sub, topic: t/a, payload: two}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
}

TEST(RunFaults, DisconnectClientMakesTheBrokerSendTheWill) {
    const auto r = run_yaml(R"yaml(
clients:
  - name: watcher
  - name: victim
    will: {topic: status/victim, payload: gone}
steps:
  - subscribe: {client: watcher, topic: "status/#"}
  - fault: {action: disconnect_client, client: victim}
  - expect: {client: watcher, topic: status/victim, payload: gone}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
    EXPECT_TRUE(traced(r, "victim", "<- DISCONNECT")) << report(r);
}

TEST(RunFaults, DisconnectingAClientThatIsNotConnectedFailsTheStep) {
    const auto r = run_yaml(R"yaml(
clients: [{name: idle, connect: false}]
steps:
  - fault: {action: disconnect_client, client: idle}
)yaml");
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "step 1 (fault at")) << report(r);
    EXPECT_TRUE(has(r.fail->message, "client idle is not connected to the broker")) << report(r);
}

TEST(RunFaults, DelayedPublishArrivesLaterThanTheLatencyBound) {
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: t}
  - fault: {action: delay, packet: publish, client: pub, delay: 300ms}
  - publish: {client: pub, topic: t, payload: slow}
  - expect: {client: sub, topic: t, payload: slow, within: 2s, latency: 100ms}
)yaml");
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    const auto& m = r.fail->message;
    const auto at = m.find("latency ");
    ASSERT_NE(at, std::string::npos) << report(r);
    EXPECT_GE(std::stod(m.substr(at + 8)), 290.0) << report(r);
    EXPECT_TRUE(has(m, "ms of a message on t exceeds 100.0 ms")) << report(r);
}

TEST(RunFaults, WithoutTheDelayTheSamePublishMeetsTheLatencyBound) {
    // The control of the test above: the latency failure comes from the fault.
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: t}
  - publish: {client: pub, topic: t, payload: slow}
  - expect: {client: sub, topic: t, payload: slow, within: 2s, latency: 250ms}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
}

}  // namespace
}  // namespace harness::runner
