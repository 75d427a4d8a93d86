// The pure parts of `report merge` and of the report outputs: runs merged in file, name and
// attempt order over the span of the inputs, warnings about duplicates, seeds and shards, JUnit
// documents merged by suite name with counts recomputed, and the extra run properties in JUnit
// and JSON (which the JSON reader still reads).
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "harness/reports/json_report.hpp"
#include "harness/reports/junit.hpp"
#include "junit_merge.hpp"
#include "report_merge.hpp"
#include "report_outputs.hpp"

namespace harness::cli {
namespace {

using runner::run_result;
using runner::scenario_result;
using runner::verdict;
using namespace std::chrono_literals;

scenario_result result_of(std::string file, std::string name, verdict v = verdict::passed,
                          int attempt = 1) {
    scenario_result s;
    s.file = std::move(file);
    s.suite = s.file.substr(0, s.file.find('.'));
    s.name = std::move(name);
    s.outcome = v;
    s.attempt = attempt;
    s.seconds = 0.5;
    return s;
}

run_result run_of(std::vector<scenario_result> scenarios, std::chrono::seconds start,
                  double seconds, std::uint64_t seed = 7) {
    run_result r;
    r.scenarios = std::move(scenarios);
    r.started = std::chrono::system_clock::time_point{} + 1'700'000'000s + start;
    r.seconds = seconds;
    r.seed = seed;
    r.hostname = "ci";
    r.broker = "embedded";
    return r;
}

std::vector<std::string> names(const run_result& r) {
    std::vector<std::string> out;
    for (const auto& s : r.scenarios)
        out.push_back(s.file + " " + s.name + " " + std::to_string(s.attempt));
    return out;
}

TEST(MergeRuns, OrdersByFileNameAndAttemptAndSpansTheRuns) {
    std::vector<std::string> warnings;
    const auto merged = merge_runs(
        {run_of({result_of("b.yaml", "z"), result_of("a.yaml", "y", verdict::passed, 2)}, 10s, 5),
         run_of({result_of("./a.yaml", "x", verdict::failed), result_of("a.yaml", "y")}, 0s, 3)},
        warnings);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(names(merged),
              (std::vector<std::string>{"./a.yaml x 1", "a.yaml y 1", "a.yaml y 2", "b.yaml z 1"}));
    EXPECT_DOUBLE_EQ(merged.seconds, 15.0);  // from 0 s to 10 + 5 s
    EXPECT_EQ(merged.hostname, "ci");
    EXPECT_EQ(merged.count(verdict::failed), 1u);
}

TEST(MergeRuns, WarnsAboutAScenarioInTwoInputsAndAboutDifferentSeeds) {
    std::vector<std::string> warnings;
    const auto merged = merge_runs({run_of({result_of("a.yaml", "x")}, 0s, 1, 1),
                                    run_of({result_of("a.yaml", "x")}, 0s, 1, 2)},
                                   warnings);
    EXPECT_EQ(merged.scenarios.size(), 2u);
    EXPECT_EQ(merged.seed, 1u);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_NE(warnings[0].find("different seeds"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[1].find("a.yaml › x"), std::string::npos) << warnings[1];
}

TEST(CheckShards, SilentWhenEveryShardIsThereOnceOrNoneIsSharded) {
    std::vector<std::string> warnings;
    check_shards({"2/3", "1/3", "3/3"}, {"b", "a", "c"}, warnings);
    check_shards({"", ""}, {"a", "b"}, warnings);
    check_shards({"1/3", "?", "3/3"}, {"a", "b", "c"}, warnings);  // b: an empty shard's JUnit
    EXPECT_TRUE(warnings.empty());
}

TEST(CheckShards, WarnsAboutMissingRepeatedAndMismatchedShards) {
    std::vector<std::string> warnings;
    check_shards({"1/4", "1/4", "3/4"}, {"a", "b", "c"}, warnings);
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_NE(warnings[0].find("1/4 is given more than once: a, b"), std::string::npos);
    EXPECT_NE(warnings[1].find("shard 2/4, 4/4 missing"), std::string::npos) << warnings[1];
    warnings.clear();
    check_shards({"1/2", "2/3"}, {"a", "b"}, warnings);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("different numbers of shards"), std::string::npos);
}

TEST(MergeJunit, JoinsSuitesByNameRecountsAndSortsAttemptsNumerically) {
    const auto first = reports::junit_xml(run_of(
        {result_of("a.yaml", "x", verdict::passed, 10), result_of("b.yaml", "q", verdict::error)},
        0s, 2));
    const auto second = reports::junit_xml(run_of(
        {result_of("a.yaml", "x", verdict::failed, 2), result_of("a.yaml", "w", verdict::skipped)},
        5s, 1));
    junit_counts counts;
    const auto xml = merge_junit({first, second}, counts);
    EXPECT_EQ(counts.tests, 4u);
    EXPECT_EQ(counts.failures, 1u);
    EXPECT_EQ(counts.errors, 1u);
    EXPECT_EQ(counts.skipped, 1u);
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(xml.c_str())) << xml;
    const auto root = doc.child("testsuites");
    EXPECT_STREQ(root.attribute("tests").value(), "4");
    EXPECT_STREQ(root.attribute("time").value(), "6.000");  // 0 s to 5 + 1 s
    const auto a = root.find_child_by_attribute("testsuite", "name", "a");
    EXPECT_STREQ(a.attribute("tests").value(), "3");
    EXPECT_STREQ(a.attribute("failures").value(), "1");
    EXPECT_STREQ(a.attribute("skipped").value(), "1");
    EXPECT_STREQ(a.attribute("time").value(), "1.500");
    std::vector<std::string> cases;
    for (auto t : a.children("testcase"))
        cases.emplace_back(t.attribute("name").value());
    EXPECT_EQ(cases, (std::vector<std::string>{"w", "x (attempt 2)", "x (attempt 10)"}));
    EXPECT_EQ(std::distance(root.children("testsuite").begin(), root.children("testsuite").end()),
              2);
}

TEST(ReportOutputs, PropertiesGoIntoEveryJunitSuiteAndTheJsonDocument) {
    const auto run = run_of({result_of("a.yaml", "x"), result_of("b.yaml", "y")}, 0s, 1);
    const run_properties shard{{"shard", "2/5"}};
    pugi::xml_document doc;
    ASSERT_TRUE(doc.load_string(junit_with_properties(run, shard).c_str()));
    std::size_t suites = 0;
    for (auto suite : doc.child("testsuites").children("testsuite")) {
        ++suites;
        EXPECT_TRUE(suite.child("properties").find_child_by_attribute("property", "name", "shard"));
    }
    EXPECT_EQ(suites, 2u);
    const auto text = json_with_properties(run, shard);
    EXPECT_EQ(json_report_properties(text), shard);
    EXPECT_EQ(reports::read_json_report(text).scenarios.size(), 2u);
    EXPECT_TRUE(json_report_properties(reports::json_report(run)).empty());
}

}  // namespace
}  // namespace harness::cli
