// The JSON report: it parses, carries the run's counts, reads back into the same run_result
// (every field of every scenario), survives invalid UTF-8, and is written atomically.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "harness/reports/json_report.hpp"
#include "sample_run.hpp"
#include "support/temp_dir.hpp"

namespace harness::reports::testing {
namespace {

namespace json = boost::json;

void expect_same(const runner::failure& a, const runner::failure& b) {
    EXPECT_EQ(a.message, b.message);
    EXPECT_EQ(a.expected, b.expected);
    EXPECT_EQ(a.step, b.step);
    EXPECT_EQ(a.where, b.where);
    ASSERT_EQ(a.seen.size(), b.seen.size());
    for (std::size_t i = 0; i < a.seen.size(); ++i) {
        EXPECT_EQ(a.seen[i].at, b.seen[i].at);
        EXPECT_EQ(a.seen[i].topic, b.seen[i].topic);
        EXPECT_EQ(a.seen[i].payload, b.seen[i].payload);
        EXPECT_EQ(a.seen[i].qos, b.seen[i].qos);
        EXPECT_EQ(a.seen[i].retain, b.seen[i].retain);
        EXPECT_EQ(a.seen[i].note, b.seen[i].note);
    }
}

void expect_same(const scenario_result& a, const scenario_result& b) {
    SCOPED_TRACE(a.name);
    EXPECT_EQ(a.file, b.file);
    EXPECT_EQ(a.suite, b.suite);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.tags, b.tags);
    EXPECT_EQ(a.outcome, b.outcome);
    EXPECT_EQ(a.skip_reason, b.skip_reason);
    EXPECT_EQ(a.started, b.started);
    EXPECT_EQ(a.seconds, b.seconds);
    EXPECT_EQ(a.attempt, b.attempt);
    EXPECT_EQ(a.last_packets, b.last_packets);
    ASSERT_EQ(a.fail.has_value(), b.fail.has_value());
    if (a.fail)
        expect_same(*a.fail, *b.fail);
    ASSERT_EQ(a.trace.size(), b.trace.size());
    for (std::size_t i = 0; i < a.trace.size(); ++i) {
        EXPECT_EQ(a.trace[i].at, b.trace[i].at);
        EXPECT_EQ(a.trace[i].actor, b.trace[i].actor);
        EXPECT_EQ(a.trace[i].what, b.trace[i].what);
    }
    ASSERT_EQ(a.components.size(), b.components.size());
    for (std::size_t i = 0; i < a.components.size(); ++i) {
        EXPECT_EQ(a.components[i].name, b.components[i].name);
        EXPECT_EQ(a.components[i].command, b.components[i].command);
        EXPECT_EQ(a.components[i].exit_status, b.components[i].exit_status);
        EXPECT_EQ(a.components[i].output, b.components[i].output);
    }
}

void expect_same(const run_result& a, const run_result& b) {
    EXPECT_EQ(a.started, b.started);
    EXPECT_EQ(a.seconds, b.seconds);
    EXPECT_EQ(a.hostname, b.hostname);
    EXPECT_EQ(a.tool_version, b.tool_version);
    EXPECT_EQ(a.broker, b.broker);
    EXPECT_EQ(a.seed, b.seed);
    EXPECT_EQ(a.interrupted, b.interrupted);
    ASSERT_EQ(a.scenarios.size(), b.scenarios.size());
    for (std::size_t i = 0; i < a.scenarios.size(); ++i)
        expect_same(a.scenarios[i], b.scenarios[i]);
}

TEST(JsonReport, ReadsBackIntoTheSameRunResult) {
    auto run = sample_run();
    run.interrupted = true;
    run.seed = std::numeric_limits<std::uint64_t>::max();
    run.scenarios[0].seconds = 0.1 + 0.2;  // not exactly 0.3: doubles must survive exactly
    const auto back = read_json_report(json_report(run));
    expect_same(run, back);
}

TEST(JsonReport, ParsesAsJsonWithCountsAndNamedOutcomes) {
    const auto doc = json::parse(json_report(sample_run())).as_object();
    EXPECT_EQ(doc.at("format").as_string(), "mqtt-harness-report");
    EXPECT_EQ(doc.at("version").to_number<int>(), json_report_version);
    const auto& counts = doc.at("counts").as_object();
    EXPECT_EQ(counts.at("total").to_number<int>(), 4);
    EXPECT_EQ(counts.at("passed").to_number<int>(), 1);
    EXPECT_EQ(counts.at("failed").to_number<int>(), 1);
    EXPECT_EQ(counts.at("error").to_number<int>(), 1);
    EXPECT_EQ(counts.at("skipped").to_number<int>(), 1);
    const auto& scenarios = doc.at("scenarios").as_array();
    EXPECT_EQ(scenarios.at(0).at("outcome").as_string(), "passed");
    EXPECT_EQ(scenarios.at(1).at("outcome").as_string(), "failed");
    EXPECT_EQ(scenarios.at(1).at("started").as_string(), "2024-05-01T12:34:58.289Z");
    EXPECT_EQ(scenarios.at(1).at("failure").at("seen").at(1).at("payload").as_string(),
              "hex:00ff10");
    EXPECT_TRUE(scenarios.at(0).at("failure").is_null());
    EXPECT_TRUE(scenarios.at(1).at("components").at(1).at("exit_status").is_null());
}

TEST(JsonReport, InvalidUtf8BecomesReplacementCharactersAndStillParses) {
    auto run = sample_run();
    run.scenarios[0].name = "bad \xFF\xC0\xAF end";
    run.scenarios[0].components[0].output = std::string("nul \0 esc \x1b", 11);
    const std::string text = json_report(run);
    const auto back = read_json_report(text);
    EXPECT_EQ(back.scenarios[0].name, "bad \xEF\xBF\xBD\xEF\xBF\xBD end");
    EXPECT_EQ(back.scenarios[0].components[0].output, run.scenarios[0].components[0].output)
        << "control characters are legal in JSON strings, escaped";
}

TEST(JsonReport, ReadingSomethingElseThrows) {
    EXPECT_THROW(read_json_report("not json"), std::exception);
    EXPECT_THROW(read_json_report(R"({"format":"other","version":1})"), std::exception);
    std::string wrong_outcome = json_report(sample_run());
    const std::string passed = "\"outcome\":\"passed\"";
    wrong_outcome.replace(wrong_outcome.find(passed), passed.size(), "\"outcome\":\"won\"");
    EXPECT_THROW(read_json_report(wrong_outcome), std::exception);
}

TEST(JsonReport, WriteJsonReportWritesTheDocumentAndANewline) {
    test_support::temp_dir dir("json-report-test");
    const auto target = dir.path() / "report.json";
    ASSERT_FALSE(write_json_report(target, sample_run()));
    std::ifstream in(target);
    std::stringstream content;
    content << in.rdbuf();
    EXPECT_EQ(content.str(), json_report(sample_run()) + "\n");
}

}  // namespace
}  // namespace harness::reports::testing
