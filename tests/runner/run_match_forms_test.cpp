// End-to-end tests of the forms a match takes in an expect (regex, JSON subset, JSON path with
// and without a value, hex, QoS, 5.0 content type and user properties), run on the embedded
// broker: each form matches a published message once, and once fails with the difference noted
// beside the message that came.
#include <gtest/gtest.h>

#include <string>

#include "run_test_support.hpp"

namespace harness::runner {
namespace {

using namespace test;

// --- payload and property forms ------------------------------------------------------------

struct match_case {
    const char* name;
    const char* match;  // the expect's match keys, as a YAML flow map body
    const char* note;   // the mismatch a failing case reports; empty for passing cases
};

/// One JSON message with properties on json/t and one binary message on bin/t (both QoS 1),
/// then an expect with the case's match.
std::string match_scenario(const match_case& c) {
    return std::string(R"yaml(
clients: [{name: sub}, {name: pub}]
steps:
  - subscribe: {client: sub, topic: "#", qos: 1}
  - publish:
      client: pub
      topic: json/t
      qos: 1
      payload: {json: {value: 21, unit: C, items: [1, 2]}}
      properties:
        content_type: application/json
        user_properties: {site: lab, unit: C}
  - publish: {client: pub, topic: bin/t, qos: 1, payload: {hex: "de ad be ef"}}
  - expect: {client: sub, within: 500ms, )yaml") +
           c.match + "}\n";
}

std::string case_name(const ::testing::TestParamInfo<match_case>& info) {
    return info.param.name;
}

class PayloadFormMatches : public ::testing::TestWithParam<match_case> {};

TEST_P(PayloadFormMatches, AndTheExpectPasses) {
    const auto r = run_yaml(match_scenario(GetParam()));
    EXPECT_EQ(r.outcome, verdict::passed) << report(r);
}

INSTANTIATE_TEST_SUITE_P(
    RunScenario, PayloadFormMatches,
    ::testing::Values(
        match_case{"Regex", R"(topic: json/t, payload: {regex: "\"unit\":\"C\""})", ""},
        match_case{"JsonSubset", "topic: json/t, payload: {json: {unit: C, items: [1, 2]}}", ""},
        match_case{"JsonPathEquals",
                   "topic: json/t, payload: {json_path: {path: \"$.items[1]\", "
                   "equals: 2}}",
                   ""},
        match_case{"JsonPathExists", "topic: json/t, payload: {json_path: $.value}", ""},
        match_case{"Hex", "topic: bin/t, payload: {hex: DEADBEEF}", ""},
        match_case{"Qos", "topic: bin/t, qos: 1", ""},
        match_case{"ContentTypeAndUserProperty",
                   "topic: json/t, properties: {content_type: application/json, "
                   "user_properties: {site: lab}}",
                   ""}),
    case_name);

class PayloadFormMismatches : public ::testing::TestWithParam<match_case> {};

TEST_P(PayloadFormMismatches, AndTheSeenMessageCarriesTheDifference) {
    const auto r = run_yaml(match_scenario(GetParam()));
    ASSERT_EQ(r.outcome, verdict::failed) << report(r);
    ASSERT_TRUE(r.fail);
    EXPECT_TRUE(
        has(r.fail->message, "did not arrive within 0.5 s (messages on the topic differed)"))
        << report(r);
    ASSERT_FALSE(r.fail->seen.empty()) << report(r);
    EXPECT_TRUE(has(r.fail->seen[0].note, GetParam().note)) << report(r);
}

INSTANTIATE_TEST_SUITE_P(
    RunScenario, PayloadFormMismatches,
    ::testing::Values(match_case{"Regex", R"(topic: json/t, payload: {regex: "^\\["})",
                                 R"(does not match /^\[/)"},
                      match_case{"JsonSubset", "topic: json/t, payload: {json: {unit: F}}",
                                 R"(JSON field $.unit is "C", expected "F")"},
                      match_case{"JsonPathEquals",
                                 "topic: json/t, payload: {json_path: {path: $.value, "
                                 "equals: 3}}",
                                 "JSON field $.value is 21, expected 3"},
                      match_case{"JsonPathExists", "topic: json/t, payload: {json_path: $.missing}",
                                 "JSON field $.missing is missing"},
                      match_case{"Hex", "topic: bin/t, payload: {hex: de ad}",
                                 "payload hex:deadbeef is not hex:dead"},
                      match_case{"Qos", "topic: bin/t, qos: 0", "qos 1, expected 0"},
                      match_case{"ContentType",
                                 "topic: json/t, properties: {content_type: text/plain}",
                                 R"(content type "application/json", expected "text/plain")"},
                      match_case{"UserProperty",
                                 "topic: json/t, properties: {user_properties: {site: home}}",
                                 "missing user property site=home (has site=lab)"}),
    case_name);

}  // namespace
}  // namespace harness::runner
