// The recorder's variable detection without sockets: ISO timestamps, UUIDs, epoch numbers and
// counters are told from fixed values; expectations leave them out, publishes regenerate them.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <regex>

#include "record_variables.hpp"

namespace harness::cli::record {
namespace {

const time_window window{1'764'178'200'000, 1'764'178'260'000};  // 2025-11-26 17:30 UTC

TEST(RecordVariables, IsoTimestampsAndUuidsAreVariableOtherTextIsFixed) {
    EXPECT_EQ(classify_text("2026-11-26T17:30:00Z"), value_kind::iso_timestamp);
    EXPECT_EQ(classify_text("2026-11-26T17:30:00.123+01:00"), value_kind::iso_timestamp);
    EXPECT_EQ(classify_text("2026-11-26 17:30:00"), value_kind::iso_timestamp);
    EXPECT_EQ(classify_text("3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b"), value_kind::uuid);
    EXPECT_EQ(classify_text("heat"), value_kind::fixed);
    EXPECT_EQ(classify_text("2026"), value_kind::fixed);
    EXPECT_EQ(classify_text("sensor-0001-kitchen"), value_kind::fixed);
}

TEST(RecordVariables, NumbersNearTheRecordingTimeAreEpochTimestamps) {
    EXPECT_EQ(classify_number(1'764'178'230, window), value_kind::epoch_seconds);
    EXPECT_EQ(classify_number(1'764'178'230'123.0, window), value_kind::epoch_millis);
    EXPECT_EQ(classify_number(21.5, window), value_kind::fixed);
    EXPECT_EQ(classify_number(1'000'000'000, window), value_kind::fixed);  // 2001
    EXPECT_EQ(classify_number(-5, window), value_kind::fixed);
}

TEST(RecordVariables, IntegersStrictlyIncreasingOverThreeMessagesAreCounters) {
    const auto leaves = [](const char* text) { return integer_leaves(boost::json::parse(text)); };
    std::map<std::string, std::vector<std::map<std::string, std::int64_t>>> series;
    series["a"] = {leaves(R"({"seq":1,"v":5,"x":{"n":7}})"),
                   leaves(R"({"seq":2,"v":3,"x":{"n":8}})"),
                   leaves(R"({"seq":3,"v":5,"x":{"n":9}})")};
    series["b"] = {leaves(R"({"seq":1})"), leaves(R"({"seq":2})")};
    const auto counters = find_counters(series);
    ASSERT_TRUE(counters.contains("a"));
    EXPECT_EQ(counters.at("a"), (std::set<std::string>{"$.seq", "$.x.n"}));
    EXPECT_FALSE(counters.contains("b"));  // two values say nothing
}

TEST(RecordVariables, ExpectedJsonLeavesVaryingMembersOutAndNamesThem) {
    const std::set<std::string> counters{"$.seq"};
    const variability v{window, &counters};
    std::vector<std::string> left_out;
    const auto subset = expected_json(
        boost::json::parse(R"({"status":"ok","at":"2026-11-26T17:30:00Z","seq":4,)"
                           R"("id":"3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b","ts":1764178230,)"
                           R"("nested":{"when":"2026-11-26T17:30:01Z","k":1},)"
                           R"("list":[1,"2026-11-26T17:30:00Z"],"tpl":"{{x}}"})"),
        v, left_out);
    ASSERT_TRUE(subset.has_value());
    EXPECT_EQ(*subset, boost::json::parse(R"({"status":"ok","nested":{"k":1},"tpl":"{{{{x}}"})"));
    EXPECT_EQ(left_out,
              (std::vector<std::string>{"$.at (ISO timestamp)", "$.seq (counter)", "$.id (UUID)",
                                        "$.ts (epoch seconds)", "$.nested.when (ISO timestamp)",
                                        "$.list (an array with varying values)"}));
}

TEST(RecordVariables, PublishedJsonMakesTimestampsAndUuidsFreshAndKeepsNumbers) {
    std::vector<std::string> templated;
    const auto out = published_json(
        boost::json::parse(R"({"at":"2026-11-26T17:30:00Z","id":"3f2a1b4c-5d6e-4f70-8a9b-)"
                           R"(0c1d2e3f4a5b","n":1764178230,"s":"a{{b"})"),
        templated);
    EXPECT_EQ(out, boost::json::parse(
                       R"({"at":"{{now_iso}}","id":"{{uuid}}","n":1764178230,"s":"a{{{{b"})"));
    EXPECT_EQ(templated.size(), 2u);
}

TEST(RecordVariables, TextWithATimestampBecomesAnAnchoredRegexThatMatchesOtherTimes) {
    std::vector<std::string> found;
    const auto pattern = text_pattern("done at 2026-11-26T17:30:00Z (1+1)", window, found);
    ASSERT_TRUE(pattern.has_value());
    const std::regex r(*pattern);
    EXPECT_TRUE(std::regex_search("done at 2027-01-02T03:04:05Z (1+1)", r)) << *pattern;
    EXPECT_FALSE(std::regex_search("done at 2027-01-02T03:04:05Z (1+2)", r)) << *pattern;
    EXPECT_FALSE(std::regex_search("xdone at 2027-01-02T03:04:05Z (1+1)", r)) << *pattern;
    std::vector<std::string> none;
    EXPECT_FALSE(text_pattern("21.5", window, none).has_value());
    EXPECT_TRUE(none.empty());
}

TEST(RecordVariables, PublishedTextUsesTemplatesAndEscapesBraces) {
    std::vector<std::string> templated;
    EXPECT_EQ(published_text("t=1764178230123 id=3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b {{x}}",
                             window, templated),
              "t={{now}} id={{uuid}} {{{{x}}");
    EXPECT_EQ(templated.size(), 2u);
}

TEST(RecordVariables, UuidTopicLevelsBecomeWildcardsOrFreshUuids) {
    const std::string topic = "replies/3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b/status";
    EXPECT_EQ(expected_topic(topic), "replies/+/status");
    EXPECT_EQ(published_topic(topic), "replies/{{uuid}}/status");
    EXPECT_EQ(expected_topic("plain/topic"), "plain/topic");
}

TEST(RecordVariables, EscapeTemplateDoublesEveryOpeningPair) {
    EXPECT_EQ(escape_template("a{{b}}c{{{"), "a{{{{b}}c{{{{{");
    EXPECT_EQ(escape_template("no braces"), "no braces");
}

}  // namespace
}  // namespace harness::cli::record
