// End-to-end tests of run_scenario on the embedded broker: scenarios written as YAML, loaded,
// run, and judged by their verdict and failure text. Every kind of expectation passes once and
// fails once with the message, expected text and seen messages a user would read: a missing
// message, a wrong payload, the wrong order, expect_none, latency, counts; then templates,
// retained messages, wills and background publishers. The payload and property forms of a
// match are in run_match_forms_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "run_test_support.hpp"

namespace harness::runner {
namespace {

using namespace test;

TEST(RunScenario, PublishedMessageArrivesAndThePassIsTraced) {
    const auto r = run_yaml(R"yaml(
name: tutorial
clients:
  - name: subscriber
  - name: publisher
steps:
  - subscribe: {client: subscriber, topic: example_topic}
  - publish: {client: publisher, topic: example_topic, payload: Time for a coffee}
  - expect: {client: subscriber, topic: example_topic, payload: Time for a coffee, within: 2s}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
    EXPECT_FALSE(r.fail) << report(r);
    EXPECT_EQ(r.name, "tutorial");
    EXPECT_TRUE(traced(r, "subscriber", "expect satisfied (1 message)")) << report(r);
    EXPECT_TRUE(traced(r, "publisher", "PUBLISH")) << report(r);
}

TEST(RunScenario, MissingMessageFailsAsNotArrivedWithinTheBound) {
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}]
steps:
  - subscribe: {client: sub, topic: t/a}
  - expect: {client: sub, topic: t/a, payload: hello, within: 300ms}
)yaml");
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "step 2 (expect at inline.yaml:")) << report(r);
    EXPECT_TRUE(has(r.fail->message,
                    "1 of 1 topic \"t/a\" payload \"hello\" did not arrive "
                    "within 0.3 s"))
        << report(r);
    EXPECT_TRUE(has(r.fail->expected, "on client sub, within 0.3 s")) << report(r);
    EXPECT_TRUE(r.fail->seen.empty()) << report(r);
    EXPECT_EQ(r.fail->step, "expect");
}

TEST(RunScenario, WrongPayloadIsReportedBesideTheSeenMessage) {
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: t/a}
  - publish: {client: pub, topic: t/a, payload: x}
  - expect: {client: sub, topic: t/a, payload: y, within: 300ms}
)yaml");
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(
        has(r.fail->message, "did not arrive within 0.3 s (messages on the topic differed)"))
        << report(r);
    ASSERT_EQ(r.fail->seen.size(), 1u) << report(r);
    EXPECT_EQ(r.fail->seen[0].topic, "t/a");
    EXPECT_EQ(r.fail->seen[0].payload, "x");
    EXPECT_EQ(r.fail->seen[0].note, "payload \"x\" is not \"y\"");
}

constexpr const char* two_in_reverse_order = R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: "t/#"}
  - publish: {client: pub, topic: t/b, payload: second}
  - publish: {client: pub, topic: t/a, payload: first}
  - expect:
      client: sub
      within: 1s
      ordered: ORDERED
      messages:
        - {topic: t/a, payload: first}
        - {topic: t/b, payload: second}
)yaml";

std::string with_ordered(bool ordered) {
    std::string yaml = two_in_reverse_order;
    yaml.replace(yaml.find("ORDERED"), 7, ordered ? "true" : "false");
    return yaml;
}

TEST(RunScenario, MessagesInTheOtherOrderFailAnOrderedExpect) {
    const auto r = run_yaml(with_ordered(true));
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message,
                    "wrong order: a message matching entry 2 (topic \"t/b\" "
                    "payload \"second\") arrived before entry 1"))
        << report(r);
    EXPECT_TRUE(has(r.fail->expected, "in this order")) << report(r);
    ASSERT_FALSE(r.fail->seen.empty()) << report(r);
    EXPECT_EQ(r.fail->seen[0].payload, "second");
    EXPECT_EQ(r.fail->seen[0].note, "matches entry 2");
}

TEST(RunScenario, MessagesInTheOtherOrderPassAnUnorderedExpect) {
    const auto r = run_yaml(with_ordered(false));
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
    EXPECT_TRUE(traced(r, "sub", "expect satisfied (2 messages)")) << report(r);
}

TEST(RunScenario, ExpectNonePassesWhenOnlyOtherTopicsReceiveMessages) {
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: "t/#"}
  - publish: {client: pub, topic: t/other, payload: x}
  - expect: {client: sub, topic: t/other}
  - expect_none: {client: sub, topic: t/watched, for: 300ms}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
    EXPECT_GE(r.seconds, 0.3) << report(r);
}

TEST(RunScenario, ExpectNoneFailsWhenAMatchingMessageArrives) {
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: "t/#"}
  - publish: {client: pub, topic: t/watched, payload: surprise}
  - expect_none: {client: sub, topic: t/watched, for: 2s}
)yaml");
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "step 3 (expect_none at")) << report(r);
    EXPECT_TRUE(has(r.fail->message,
                    "a message matching topic \"t/watched\" arrived, none expected for 2 s"))
        << report(r);
    ASSERT_EQ(r.fail->seen.size(), 1u) << report(r);
    EXPECT_EQ(r.fail->seen[0].payload, "surprise");
    EXPECT_EQ(r.fail->seen[0].note, "unexpected");
    // It fails when the message comes, not when `for` is over.
    EXPECT_LT(r.seconds, 1.5) << report(r);
}

TEST(RunScenario, LatencyWithinAGenerousBoundPasses) {
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: t}
  - id: send
    publish: {client: pub, topic: t, payload: x}
  - expect: {client: sub, topic: t, latency: 1s, after: send}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
}

TEST(RunScenario, SlowReplyExceedsTheLatencyBound) {
    const auto r = run_yaml(R"yaml(
clients: [{name: app}]
stand_ins:
  - name: slow
    on: {topic: req}
    delay: 300ms
    publish: {topic: rep, payload: late}
steps:
  - subscribe: {client: app, topic: rep}
  - publish: {client: app, topic: req, payload: q}
  - expect: {client: app, topic: rep, within: 2s, latency: 50ms}
)yaml");
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "step 3 (expect at")) << report(r);
    EXPECT_TRUE(has(r.fail->message, "ms of a message on rep exceeds 50.0 ms")) << report(r);
    EXPECT_TRUE(has(r.fail->expected, "each within 0.05 s of the triggering step")) << report(r);
    ASSERT_EQ(r.fail->seen.size(), 1u) << report(r);
    EXPECT_EQ(r.fail->seen[0].payload, "late");
    EXPECT_EQ(r.fail->seen[0].note, "too late");
}

// --- counts and templates ------------------------------------------------------------------

TEST(RunScenario, CountShortByOneIsReportedAsOneOfThree) {
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: t}
  - publish: {client: pub, topic: t, payload: "n{{seq}}", repeat: 2}
  - expect: {client: sub, topic: t, count: 3, within: 300ms}
)yaml");
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(has(r.fail->message, "1 of 3 topic \"t\" did not arrive within 0.3 s"))
        << report(r);
    EXPECT_TRUE(has(r.fail->expected, "3× topic \"t\"")) << report(r);
}

TEST(RunScenario, SeqNumbersRepeatedPublishesInOrder) {
    const auto r = run_yaml(R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: t, qos: 1}
  - publish: {client: pub, topic: t, payload: "n{{seq}}", qos: 1, repeat: 3}
  - expect:
      client: sub
      messages:
        - {topic: t, payload: n1}
        - {topic: t, payload: n2}
        - {topic: t, payload: n3}
  - expect_none: {client: sub, topic: t, for: 200ms}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
}

TEST(RunScenario, VariablesFillTopicsAndPayloads) {
    const auto r = run_yaml(R"yaml(
variables: {room: kitchen, greeting: hello}
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: "rooms/{{room}}"}
  - publish: {client: pub, topic: "rooms/{{room}}", payload: "{{greeting}} from {{room}}"}
  - expect: {client: sub, topic: rooms/kitchen, payload: hello from kitchen}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
}

TEST(RunScenario, SuiteVariablesAreInheritedAndAScenarioOwnWins) {
    const auto file = load_yaml_file(R"yaml(
name: suite
variables: {device: pump-1}
clients: [{name: sub}, {name: pub}]
scenarios:
  - name: inherited
    steps:
      - subscribe: {client: sub, topic: "d/+"}
      - publish: {client: pub, topic: "d/{{device}}", payload: "{{device}}"}
      - expect: {client: sub, topic: d/pump-1, payload: pump-1}
  - name: own
    variables: {device: pump-2}
    steps:
      - subscribe: {client: sub, topic: "d/+"}
      - publish: {client: pub, topic: "d/{{device}}", payload: "{{device}}"}
      - expect: {client: sub, topic: d/pump-2, payload: pump-2}
)yaml");
    ASSERT_EQ(file.scenarios.size(), 2u);
    for (const auto& s : file.scenarios) {
        const auto r = run_scenario(s, quick_options());
        EXPECT_EQ(r.outcome, verdict::passed) << s.name << report(r);
    }
}

// --- retained messages, wills, background publishers ---------------------------------------

constexpr const char* retained_scenario = R"yaml(
clients: [{name: pub}, {name: late}]
steps:
  - publish: {client: pub, topic: config/mode, payload: eco, qos: 1, retain: true}
  - subscribe: {client: late, topic: "config/#"}
  - expect: {client: late, topic: config/mode, payload: eco, retain: RETAIN, within: 500ms}
)yaml";

std::string with_retain(bool retain) {
    std::string yaml = retained_scenario;
    yaml.replace(yaml.find("RETAIN"), 6, retain ? "true" : "false");
    return yaml;
}

TEST(RunScenario, RetainedMessageReachesALaterSubscriberWithTheRetainFlag) {
    const auto r = run_yaml(with_retain(true));
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
}

TEST(RunScenario, RetainedMessageFailsAnExpectOfAClearRetainFlag) {
    const auto r = run_yaml(with_retain(false));
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    ASSERT_FALSE(r.fail->seen.empty()) << report(r);
    EXPECT_TRUE(r.fail->seen[0].retain);
    EXPECT_EQ(r.fail->seen[0].note, "retain true, expected false");
}

TEST(RunScenario, AbruptDisconnectDeliversTheWillAndAPoliteOneDoesNot) {
    const auto r = run_yaml(R"yaml(
clients:
  - name: watcher
  - name: polite
    will: {topic: status/polite, payload: offline}
  - name: dying
    will:
      topic: status/dying
      payload: offline
      qos: 1
      properties: {user_properties: {reason: lost}}
steps:
  - subscribe: {client: watcher, topic: "status/#", qos: 1}
  - disconnect: polite
  - disconnect: {client: dying, abrupt: true}
  - expect:
      client: watcher
      topic: status/dying
      payload: offline
      properties: {user_properties: {reason: lost}}
  - expect_none: {client: watcher, topic: status/polite, for: 200ms}
)yaml");
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
    EXPECT_TRUE(traced(r, "dying", "connection dropped without DISCONNECT")) << report(r);
}

TEST(RunScenario, BackgroundPublisherSendsItsCountAtItsRate) {
    // The background publisher starts before the steps, so the subscription is made by a
    // stand-in on the monitor's connection, which is in place before the publisher starts.
    const auto r = run_yaml(R"yaml(
clients: [{name: monitor}, {name: feeder}]
stand_ins:
  - name: echo
    client: monitor
    on: {topic: "bg/#"}
    publish: {topic: echoed, payload: "{{trigger.payload}}"}
background:
  - name: feed
    client: feeder
    topic: bg/t
    payload: "b{{seq}}"
    rate: 50
    count: 5
steps:
  - expect: {client: monitor, topic: bg/t, payload: {regex: "^b[1-5]$"}, count: 5, within: 1s}
  - expect_none: {client: monitor, topic: bg/t, for: 200ms}
)yaml");
    ASSERT_EQ(r.outcome, verdict::passed) << report(r);
    std::vector<double> at;
    for (const auto& e : r.trace)
        if (e.actor == "feeder" && e.what.starts_with("-> PUBLISH"))
            at.push_back(e.at);
    ASSERT_EQ(at.size(), 5u) << report(r);
    // 50 per second: the fifth leaves 80 ms after the first.
    EXPECT_GE(at[4] - at[0], 0.075) << report(r);
}

}  // namespace
}  // namespace harness::runner
