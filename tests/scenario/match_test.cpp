// Matching received messages against expectations (topic, payload forms, QoS, retain, 5.0
// properties) and the words of each mismatch; JSON paths; payload descriptions; the small
// behaviours of the scenario model.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <map>
#include <string>

#include "harness/scenario/match.hpp"
#include "harness/scenario/model.hpp"

namespace harness::scenario {
namespace {

using codec::property_id;

codec::publish message(std::string topic, std::string_view payload) {
    codec::publish p;
    p.topic = std::move(topic);
    p.payload.assign(payload.begin(), payload.end());
    return p;
}

template_resolver variables(std::map<std::string, std::string> values = {}) {
    return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
        const auto it = values.find(std::string(name));
        if (it == values.end()) {
            return std::nullopt;
        }
        return it->second;
    };
}

message_match on(std::string filter) {
    message_match m;
    m.topic_filter = std::move(filter);
    return m;
}

message_match exact(std::string filter, std::string text) {
    auto m = on(std::move(filter));
    m.payload.how = payload_match::kind::exact;
    m.payload.text = std::move(text);
    return m;
}

message_match with_payload(payload_match::kind how, std::string text) {
    auto m = on("#");
    m.payload.how = how;
    m.payload.text = std::move(text);
    return m;
}

message_match json_subset(std::string_view json) {
    auto m = on("#");
    m.payload.how = payload_match::kind::json_subset;
    m.payload.json = boost::json::parse(json);
    return m;
}

message_match json_path(std::string path, std::optional<std::string_view> equals) {
    auto m = on("#");
    m.payload.how = payload_match::kind::json_path;
    m.payload.path = std::move(path);
    if (equals) {
        m.payload.json = boost::json::parse(*equals);
    } else {
        m.payload.path_exists_only = true;
    }
    return m;
}

/// The mismatch text, or "matched".
std::string check(const message_match& expected, const codec::publish& received,
                  const template_resolver& resolve = variables()) {
    const auto outcome = match_message(expected, received, resolve);
    if (outcome.matched) {
        EXPECT_TRUE(outcome.topic_matched);
        EXPECT_EQ(outcome.mismatch, "");
        return "matched";
    }
    return outcome.mismatch;
}

// --- Model ---------------------------------------------------------------------------------

TEST(Model, PositionPrintsFileLineAndColumn) {
    const position where{"scenarios/a.yaml", 12, 5};
    EXPECT_EQ(where.to_string(), "scenarios/a.yaml:12:5");
}

TEST(Model, StepKindIsTheYamlKey) {
    EXPECT_EQ(step_kind(connect_step{}), "connect");
    EXPECT_EQ(step_kind(subscribe_step{}), "subscribe");
    EXPECT_EQ(step_kind(unsubscribe_step{}), "unsubscribe");
    EXPECT_EQ(step_kind(publish_step{}), "publish");
    EXPECT_EQ(step_kind(expect_step{}), "expect");
    EXPECT_EQ(step_kind(expect_none_step{}), "expect_none");
    EXPECT_EQ(step_kind(wait_log_step{}), "wait_log");
    EXPECT_EQ(step_kind(disconnect_step{}), "disconnect");
    EXPECT_EQ(step_kind(sleep_step{}), "sleep");
    EXPECT_EQ(step_kind(fault_step{}), "fault");
}

TEST(Model, OnlyFaultStepsNeedTheEmbeddedBroker) {
    scenario s;
    s.steps.push_back({"", {}, publish_step{}});
    s.steps.push_back({"", {}, expect_step{}});
    EXPECT_FALSE(s.needs_embedded_broker());
    s.steps.push_back({"", {}, fault_step{}});
    EXPECT_TRUE(s.needs_embedded_broker());
}

TEST(Model, PropertiesAreEmptyUntilOneIsSet) {
    publish_properties_spec properties;
    EXPECT_TRUE(properties.empty());
    properties.payload_format_utf8 = false;
    EXPECT_FALSE(properties.empty());
    publish_properties_spec with_user;
    with_user.user_properties.emplace_back("a", "b");
    EXPECT_FALSE(with_user.empty());
}

// --- Topic ---------------------------------------------------------------------------------

TEST(Match, TopicWildcardsMatch) {
    EXPECT_EQ(check(on("home/+/temperature"), message("home/kitchen/temperature", "")), "matched");
    EXPECT_EQ(check(on("home/#"), message("home/kitchen/temperature", "")), "matched");
    EXPECT_EQ(check(on("home/#"), message("home", "")), "matched");
    EXPECT_EQ(check(on("a/b"), message("a/b", "")), "matched");
}

TEST(Match, OtherTopicIsNotEvenANearMiss) {
    const auto outcome =
        match_message(on("home/+/temperature"), message("home/kitchen/humidity", ""), variables());
    EXPECT_FALSE(outcome.topic_matched);
    EXPECT_FALSE(outcome.matched);
    EXPECT_EQ(outcome.mismatch,
              "topic \"home/kitchen/humidity\" does not match \"home/+/temperature\"");
}

TEST(Match, WildcardsDoNotMatchDollarTopics) {
    EXPECT_NE(check(on("#"), message("$SYS/uptime", "")), "matched");
    EXPECT_EQ(check(on("$SYS/#"), message("$SYS/uptime", "")), "matched");
}

TEST(Match, TopicFilterIsATemplate) {
    const auto resolve = variables({{"room", "kitchen"}});
    EXPECT_EQ(check(on("home/{{room}}/#"), message("home/kitchen/t", ""), resolve), "matched");
    EXPECT_NE(check(on("home/{{room}}/#"), message("home/hall/t", ""), resolve), "matched");
}

TEST(Match, SharedSubscriptionPrefixIsIgnored) {
    EXPECT_EQ(check(on("$share/workers/jobs/#"), message("jobs/7", "")), "matched");
}

TEST(Match, UnknownTemplateNameIsReported) {
    const auto outcome = match_message(on("home/{{nowhere}}"), message("home/x", ""), variables());
    EXPECT_FALSE(outcome.matched);
    EXPECT_EQ(outcome.mismatch.rfind("template error: ", 0), 0u) << outcome.mismatch;
}

// --- Payload: any, exact, regex, hex -------------------------------------------------------

TEST(Match, NoPayloadGivenMatchesAnyPayload) {
    EXPECT_EQ(check(on("t"), message("t", "whatever")), "matched");
    EXPECT_EQ(check(on("t"), message("t", std::string_view("\x00\xff", 2))), "matched");
}

TEST(Match, ExactPayloadMatchesSameBytes) {
    EXPECT_EQ(check(exact("t", "22"), message("t", "22")), "matched");
    EXPECT_EQ(check(exact("t", ""), message("t", "")), "matched");
}

TEST(Match, ExactPayloadMismatchQuotesBothTexts) {
    EXPECT_EQ(check(exact("t", "22"), message("t", "21.5")), "payload \"21.5\" is not \"22\"");
}

TEST(Match, ExactPayloadMismatchShowsBinaryAsHex) {
    EXPECT_EQ(check(exact("t", "ok"), message("t", std::string_view("\x01\x02", 2))),
              "payload hex:0102 is not \"ok\"");
}

TEST(Match, ExactPayloadIsATemplate) {
    const auto resolve = variables({{"seq", "3"}});
    EXPECT_EQ(check(exact("t", "job {{seq}}"), message("t", "job 3"), resolve), "matched");
    EXPECT_EQ(check(exact("t", "job {{seq}}"), message("t", "job 4"), resolve),
              "payload \"job 4\" is not \"job 3\"");
}

TEST(Match, RegexIsSearchedWithinThePayload) {
    const auto m = with_payload(payload_match::kind::regex, "[0-9]+\\.[0-9]");
    EXPECT_EQ(check(m, message("t", "temperature 21.5 C")), "matched");
}

TEST(Match, RegexAnchorsRequireTheWholePayload) {
    const auto m = with_payload(payload_match::kind::regex, "^on|off$");
    EXPECT_EQ(check(m, message("t", "on")), "matched");
    const auto whole = with_payload(payload_match::kind::regex, "^(on|off)$");
    EXPECT_EQ(check(whole, message("t", "turn on")),
              "payload \"turn on\" does not match /^(on|off)$/");
}

TEST(Match, InvalidRegexIsAMismatchNotACrash) {
    const auto outcome = match_message(with_payload(payload_match::kind::regex, "(unclosed"),
                                       message("t", "x"), variables());
    EXPECT_TRUE(outcome.topic_matched);
    EXPECT_FALSE(outcome.matched);
    EXPECT_EQ(outcome.mismatch.rfind("invalid regex /(unclosed/", 0), 0u) << outcome.mismatch;
}

TEST(Match, HexIgnoresSpacesAndCase) {
    const auto m = with_payload(payload_match::kind::hex, "DE ad be EF");
    EXPECT_EQ(check(m, message("t", "\xde\xad\xbe\xef")), "matched");
}

TEST(Match, HexMismatchShowsBothInHex) {
    const auto m = with_payload(payload_match::kind::hex, "0a0b");
    EXPECT_EQ(check(m, message("t", "AB")), "payload hex:4142 is not hex:0a0b");
}

TEST(Match, HexWithOddDigitsIsAMismatch) {
    const auto m = with_payload(payload_match::kind::hex, "abc");
    EXPECT_EQ(check(m, message("t", "\xab\x0c")), "hex payload has an odd number of digits");
}

// --- Payload: JSON -------------------------------------------------------------------------

TEST(Match, JsonSubsetIgnoresExtraMembers) {
    EXPECT_EQ(check(json_subset(R"({"mode":"heat"})"),
                    message("t", R"({"mode":"heat","target":21,"extra":[1,2]})")),
              "matched");
}

TEST(Match, JsonSubsetNamesTheDifferingField) {
    EXPECT_EQ(check(json_subset(R"({"mode":"cool"})"), message("t", R"({"mode":"heat"})")),
              "JSON field $.mode is \"heat\", expected \"cool\"");
}

TEST(Match, JsonSubsetNamesNestedAndArrayFields) {
    EXPECT_EQ(check(json_subset(R"({"a":{"b":[1,{"c":true}]}})"),
                    message("t", R"({"a":{"b":[1,{"c":false,"d":0}]}})")),
              "JSON field $.a.b[1].c is false, expected true");
    EXPECT_EQ(check(json_subset(R"({"odd key":1})"), message("t", R"({"odd key":2})")),
              "JSON field $['odd key'] is 2, expected 1");
}

TEST(Match, JsonSubsetReportsMissingMember) {
    EXPECT_EQ(check(json_subset(R"({"unit":"C"})"), message("t", R"({"value":3})")),
              "JSON field $.unit is missing, expected \"C\"");
}

TEST(Match, JsonSubsetArraysNeedEqualLength) {
    EXPECT_EQ(check(json_subset(R"({"items":[1,2]})"), message("t", R"({"items":[1,2,3]})")),
              "JSON field $.items has 3 elements, expected 2");
}

TEST(Match, JsonSubsetComparesNumbersByValue) {
    EXPECT_EQ(check(json_subset(R"({"n":3})"), message("t", R"({"n":3.0})")), "matched");
    EXPECT_EQ(check(json_subset(R"({"n":3.0})"), message("t", R"({"n":3})")), "matched");
    EXPECT_NE(check(json_subset(R"({"n":3})"), message("t", R"({"n":"3"})")), "matched");
}

TEST(Match, JsonSubsetOfNonJsonPayloadIsAMismatch) {
    EXPECT_EQ(check(json_subset(R"({"n":3})"), message("t", "n=3")), "payload is not JSON");
}

TEST(Match, JsonSubsetStringsAreTemplates) {
    const auto resolve = variables({{"id", "42"}});
    EXPECT_EQ(check(json_subset(R"({"id":"{{id}}"})"), message("t", R"({"id":"42"})"), resolve),
              "matched");
}

TEST(Match, JsonPathEqualsComparesTheValueThere) {
    const auto received = message("t", R"({"a":[{"b":"x"},{"b":"y"}],"n":2.0})");
    EXPECT_EQ(check(json_path("$.a[1].b", R"("y")"), received), "matched");
    EXPECT_EQ(check(json_path("$.n", "2"), received), "matched");
    EXPECT_EQ(check(json_path("$.a[0].b", R"("y")"), received),
              "JSON field $.a[0].b is \"x\", expected \"y\"");
}

TEST(Match, JsonPathEqualsRequiresWholeValueEquality) {
    const auto received = message("t", R"({"o":{"a":1,"b":2}})");
    EXPECT_EQ(check(json_path("$.o", R"({"b":2,"a":1.0})"), received), "matched");
    EXPECT_NE(check(json_path("$.o", R"({"a":1})"), received), "matched");
}

TEST(Match, JsonPathWithoutValueOnlyNeedsToExist) {
    const auto received = message("t", R"({"a":null})");
    EXPECT_EQ(check(json_path("$.a", std::nullopt), received), "matched");
    EXPECT_EQ(check(json_path("$.b", std::nullopt), received), "JSON field $.b is missing");
    EXPECT_EQ(check(json_path("$.b", "1"), received), "JSON field $.b is missing, expected 1");
}

TEST(Match, JsonPathOfNonJsonPayloadIsAMismatch) {
    EXPECT_EQ(check(json_path("$.a", std::nullopt), message("t", "{broken")),
              "payload is not JSON");
}

TEST(JsonPath, AllFormsFindTheirValue) {
    const auto doc = boost::json::parse(R"({"a":{"b c":[10,20,{"d":"e"}]},"x":1})");
    ASSERT_NE(find_json_path(doc, "$"), nullptr);
    EXPECT_EQ(*find_json_path(doc, "$"), doc);
    EXPECT_EQ(*find_json_path(doc, "$.x"), boost::json::value(1));
    EXPECT_EQ(*find_json_path(doc, "$['x']"), boost::json::value(1));
    EXPECT_EQ(*find_json_path(doc, "$[\"x\"]"), boost::json::value(1));
    EXPECT_EQ(*find_json_path(doc, "$.a['b c'][1]"), boost::json::value(20));
    EXPECT_EQ(*find_json_path(doc, "$.a['b c'][2].d"), boost::json::value("e"));
    EXPECT_EQ(*find_json_path(doc, "x"), boost::json::value(1));
    EXPECT_EQ(*find_json_path(doc, ".x"), boost::json::value(1));
    EXPECT_EQ(*find_json_path(boost::json::parse("[5,6]"), "[1]"), boost::json::value(6));
}

TEST(JsonPath, AbsentOrWrongKindIsNull) {
    const auto doc = boost::json::parse(R"({"a":[1,2],"s":"text"})");
    EXPECT_EQ(find_json_path(doc, "$.b"), nullptr);
    EXPECT_EQ(find_json_path(doc, "$.a[2]"), nullptr);
    EXPECT_EQ(find_json_path(doc, "$.a.b"), nullptr);
    EXPECT_EQ(find_json_path(doc, "$.s[0]"), nullptr);
    EXPECT_EQ(find_json_path(doc, "$[0]"), nullptr);
}

TEST(JsonPath, MalformedPathsAreInvalid) {
    EXPECT_TRUE(is_valid_json_path("$"));
    EXPECT_TRUE(is_valid_json_path("$.a[0]['b'][\"c\"].d"));
    for (const char* bad : {"", "$.", "$..a", "$[", "$[x]", "$['a]", "$['a'", "$a", "$.a]"}) {
        EXPECT_FALSE(is_valid_json_path(bad)) << bad;
        EXPECT_EQ(find_json_path(boost::json::parse("{}"), bad), nullptr) << bad;
    }
}

TEST(JsonEqual, NumbersCompareByValueAndMemberOrderIsIgnored) {
    EXPECT_TRUE(json_equal(boost::json::parse("3"), boost::json::parse("3.0")));
    EXPECT_TRUE(json_equal(boost::json::value(3u), boost::json::value(std::int64_t{3})));
    EXPECT_FALSE(json_equal(boost::json::value(-1), boost::json::value(18446744073709551615u)));
    EXPECT_TRUE(json_equal(boost::json::parse(R"({"a":1,"b":[true]})"),
                           boost::json::parse(R"({"b":[true],"a":1})")));
    EXPECT_FALSE(json_equal(boost::json::parse("[1,2]"), boost::json::parse("[2,1]")));
    EXPECT_FALSE(json_equal(boost::json::parse("null"), boost::json::parse("false")));
}

TEST(JsonContains, SubsetIsRecursiveAndArraysKeepTheirLength) {
    const auto value = boost::json::parse(R"({"a":{"b":1,"c":2},"l":[{"x":1,"y":2}]})");
    EXPECT_TRUE(json_contains(value, boost::json::parse(R"({"a":{"c":2}})")));
    EXPECT_TRUE(json_contains(value, boost::json::parse(R"({"l":[{"y":2}]})")));
    EXPECT_TRUE(json_contains(value, boost::json::parse("{}")));
    EXPECT_FALSE(json_contains(value, boost::json::parse(R"({"l":[]})")));
    EXPECT_FALSE(json_contains(value, boost::json::parse(R"({"a":{"d":null}})")));
}

// --- QoS, retain, properties ---------------------------------------------------------------

TEST(Match, QosMismatchSaysBoth) {
    auto m = on("t");
    m.qos = 1;
    EXPECT_EQ(check(m, message("t", "")), "qos 0, expected 1");
    auto received = message("t", "");
    received.qos = codec::qos::at_least_once;
    EXPECT_EQ(check(m, received), "matched");
}

TEST(Match, RetainFlagAsReceived) {
    auto m = on("t");
    m.retain = true;
    EXPECT_EQ(check(m, message("t", "")), "retain false, expected true");
    auto received = message("t", "");
    received.retain = true;
    EXPECT_EQ(check(m, received), "matched");
}

TEST(Match, EveryMismatchIsListed) {
    auto m = exact("t", "22");
    m.qos = 2;
    EXPECT_EQ(check(m, message("t", "21")), "qos 0, expected 2; payload \"21\" is not \"22\"");
}

TEST(Match, TextPropertiesMustBePresentAndEqual) {
    auto m = on("t");
    m.properties.content_type = "application/json";
    m.properties.response_topic = "replies/{{me}}";
    const auto resolve = variables({{"me", "a"}});
    auto received = message("t", "");
    EXPECT_EQ(check(m, received, resolve),
              "content type missing, expected \"application/json\"; "
              "response topic missing, expected \"replies/a\"");
    received.properties.add(property_id::content_type, std::string("text/plain"));
    received.properties.add(property_id::response_topic, std::string("replies/a"));
    EXPECT_EQ(check(m, received, resolve),
              "content type \"text/plain\", expected \"application/json\"");
}

TEST(Match, CorrelationDataComparesBytes) {
    auto m = on("t");
    m.properties.correlation_data = "req-{{n}}";
    const auto resolve = variables({{"n", "7"}});
    auto received = message("t", "");
    received.properties.add(property_id::correlation_data, codec::binary{'r', 'e', 'q', '-', '7'});
    EXPECT_EQ(check(m, received, resolve), "matched");
    auto other = message("t", "");
    other.properties.add(property_id::correlation_data, codec::binary{0x00, 0x01});
    EXPECT_EQ(check(m, other, resolve), "correlation data hex:0001, expected \"req-7\"");
}

TEST(Match, PayloadFormatAbsentMeansBytes) {
    auto m = on("t");
    m.properties.payload_format_utf8 = true;
    auto received = message("t", "");
    EXPECT_EQ(check(m, received), "payload format bytes, expected utf8");
    received.properties.add(property_id::payload_format_indicator, 1u);
    EXPECT_EQ(check(m, received), "matched");
    m.properties.payload_format_utf8 = false;
    EXPECT_EQ(check(m, message("t", "")), "matched");
}

TEST(Match, MessageExpiryAllowsTheBrokerToCountDown) {
    auto m = on("t");
    m.properties.message_expiry_interval = 60;
    const auto with_expiry = [](std::uint32_t seconds) {
        auto received = message("t", "");
        received.properties.add(property_id::message_expiry_interval, seconds);
        return received;
    };
    EXPECT_EQ(check(m, with_expiry(60)), "matched");
    EXPECT_EQ(check(m, with_expiry(59)), "matched");
    EXPECT_EQ(check(m, with_expiry(58)), "matched");
    EXPECT_EQ(check(m, with_expiry(57)), "message expiry 57, expected 60");
    EXPECT_EQ(check(m, with_expiry(61)), "message expiry 61, expected 60");
    EXPECT_EQ(check(m, message("t", "")), "message expiry missing, expected 60");
}

TEST(Match, EachExpectedUserPropertyMustBePresent) {
    auto m = on("t");
    m.properties.user_properties = {{"unit", "C"}, {"site", "{{site}}"}};
    const auto resolve = variables({{"site", "lab"}});
    auto received = message("t", "");
    received.properties.add_user_property("site", "lab");
    received.properties.add_user_property("extra", "1");
    received.properties.add_user_property("unit", "F");
    EXPECT_EQ(check(m, received, resolve), "missing user property unit=C (has unit=F)");
    received.properties.add_user_property("unit", "C");
    EXPECT_EQ(check(m, received, resolve), "matched");
    EXPECT_EQ(check(m, message("t", ""), resolve),
              "missing user property unit=C; missing user property site=lab");
}

// --- Describing payloads -------------------------------------------------------------------

TEST(DescribePayload, PrintableTextIsShownAsItIs) {
    EXPECT_EQ(describe_payload("Time for a coffee"), "Time for a coffee");
    EXPECT_EQ(describe_payload("line 1\nline 2\ttab"), "line 1\nline 2\ttab");
    EXPECT_EQ(describe_payload("21.5 °C"), "21.5 °C");
    EXPECT_EQ(describe_payload(""), "");
}

TEST(DescribePayload, LongTextIsCutWithAnEllipsis) {
    EXPECT_EQ(describe_payload("abcdefghij", 4), "abcd…");
    EXPECT_EQ(describe_payload("abcd", 4), "abcd");
    // "é" is two bytes: the cut does not split it.
    EXPECT_EQ(describe_payload("abcé", 4), "abc…");
}

TEST(DescribePayload, BinaryIsShownAsHex) {
    EXPECT_EQ(describe_payload(std::string_view("\x00\x01\xff", 3)), "hex:0001ff");
    EXPECT_EQ(describe_payload("bell\x07"), "hex:62656c6c07");
    EXPECT_EQ(describe_payload("\xc3\x28"), "hex:c328");        // invalid UTF-8
    EXPECT_EQ(describe_payload("\xc0\xaf"), "hex:c0af");        // overlong
    EXPECT_EQ(describe_payload("\xed\xa0\x80"), "hex:eda080");  // surrogate
    EXPECT_EQ(describe_payload("\xde\xad\xbe\xef", 4), "hex:dead…");
}

}  // namespace
}  // namespace harness::scenario
