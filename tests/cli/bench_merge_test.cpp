// bench merge, the pure part: reports of concurrent runs add up (counts, rates), times are the
// longest, latency min/max/mean are exact and percentiles come from the merged histogram, the
// run ids are listed, differing load parameters warn, and a merged report merges again.
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_histogram.hpp"
#include "bench_merge.hpp"
#include "bench_report.hpp"
#include "bench_stats.hpp"

namespace harness::cli::bench {
namespace {

namespace json = boost::json;

/// A report as `bench --json` writes it for a run whose deliveries took `latencies_ns`.
named_report report(const std::string& path, const std::string& run_id,
                    std::vector<std::int64_t> latencies_ns, int qos = 1) {
    log_histogram h;
    for (const auto v : latencies_ns)
        h.record(v);
    const auto s = summarize(latencies_ns);
    const auto n = latencies_ns.size();
    json::object o;
    o["run_id"] = run_id;
    o["mode"] = "pairs";
    o["qos"] = qos;
    o["publishers"] = 2;
    o["subscribers"] = 2;
    o["size"] = 64;
    o["count"] = 100;
    o["rate"] = 0.0;
    o["inflight"] = 1;
    o["sent"] = n + 1;
    o["expected"] = n + 1;
    o["received"] = n;
    o["lost"] = 1;
    o["duplicates"] = 0;
    o["out_of_order"] = 2;
    o["stray"] = 0;
    o["publish_errors"] = 0;
    o["send_seconds"] = static_cast<double>(n) / 100;
    o["elapsed_seconds"] = static_cast<double>(n) / 50;
    o["send_rate"] = 100.0;
    o["receive_rate"] = 90.0;
    o["receive_mb_per_second"] = 0.5;
    o["latency_us"] = json::object{{"samples", s.samples}, {"min", s.min_us}, {"mean", s.mean_us},
                                   {"p50", s.p50_us},      {"p90", s.p90_us}, {"p99", s.p99_us},
                                   {"p99_9", s.p999_us},   {"max", s.max_us}};
    o["latency_histogram"] = to_json(h);
    o["cpu"] = json::object{{"self_seconds", 0.5}, {"self_percent", 20.0}};
    return {path, std::move(o)};
}

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to, std::int64_t step) {
    std::vector<std::int64_t> v;
    for (auto x = from; x < to; x += step)
        v.push_back(x);
    return v;
}

double latency(const json::object& o, const char* key) {
    return o.at("latency_us").at(key).to_number<double>();
}

TEST(BenchMerge, CountsAndRatesAddUpTimesAreTheLongest) {
    std::vector<std::string> warnings;
    const auto merged = merge_reports({report("a.json", "aaaa", range(100'000, 200'000, 1000)),
                                       report("b.json", "bbbb", range(150'000, 450'000, 1000))},
                                      warnings);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(merged.at("sent").to_number<int>(), 101 + 301);
    EXPECT_EQ(merged.at("received").to_number<int>(), 100 + 300);
    EXPECT_EQ(merged.at("lost").to_number<int>(), 2);
    EXPECT_EQ(merged.at("out_of_order").to_number<int>(), 4);
    EXPECT_EQ(merged.at("publishers").to_number<int>(), 4);
    EXPECT_EQ(merged.at("subscribers").to_number<int>(), 4);
    EXPECT_DOUBLE_EQ(merged.at("send_rate").to_number<double>(), 200.0);
    EXPECT_DOUBLE_EQ(merged.at("receive_rate").to_number<double>(), 180.0);
    EXPECT_DOUBLE_EQ(merged.at("elapsed_seconds").to_number<double>(), 6.0);
    EXPECT_DOUBLE_EQ(merged.at("send_seconds").to_number<double>(), 3.0);
    EXPECT_DOUBLE_EQ(merged.at("cpu").at("self_percent").to_number<double>(), 40.0);
    EXPECT_EQ(merged.at("run_id").as_string(), "aaaa+bbbb");
    EXPECT_EQ(merged.at("run_ids"), json::value(json::array{"aaaa", "bbbb"}));
    EXPECT_EQ(merged.at("mode").as_string(), "pairs");
}

TEST(BenchMerge, LatencyIsExactWherePossibleAndPercentilesComeFromTheMergedHistogram) {
    const auto a = range(100'000, 200'000, 1000);  // 100 samples, mean 149.5 us
    const auto b = range(150'000, 450'000, 1000);  // 300 samples, mean 299.5 us
    std::vector<std::string> warnings;
    const auto merged = merge_reports({report("a", "1", a), report("b", "2", b)}, warnings);
    EXPECT_EQ(merged.at("latency_us").at("samples").to_number<int>(), 400);
    EXPECT_DOUBLE_EQ(latency(merged, "min"), 100.0);
    EXPECT_DOUBLE_EQ(latency(merged, "max"), 449.0);
    EXPECT_NEAR(latency(merged, "mean"), (149.5 * 100 + 299.5 * 300) / 400, 1e-9);
    auto all = a;
    all.insert(all.end(), b.begin(), b.end());
    const auto exact = summarize(all);
    for (const auto& [key, value] : {std::pair{"p50", exact.p50_us}, std::pair{"p90", exact.p90_us},
                                     std::pair{"p99", exact.p99_us}}) {
        EXPECT_GE(latency(merged, key), value) << key;
        EXPECT_LE(latency(merged, key), value * (1 + 1.0 / 128)) << key;
    }
    const auto h = histogram_from_json(merged.at("latency_histogram"));
    EXPECT_EQ(h.count(), 400u);
}

TEST(BenchMerge, MergedReportsMergeAgainLikeAllAtOnce) {
    const auto a = report("a", "1", range(1000, 9000, 7));
    const auto b = report("b", "2", range(5000, 90000, 13));
    const auto c = report("c", "3", range(20, 700000, 101));
    std::vector<std::string> warnings;
    const named_report ab{"ab", merge_reports({a, b}, warnings)};
    const auto twice = merge_reports({ab, c}, warnings);
    const auto once = merge_reports({a, b, c}, warnings);
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(twice.at("run_ids"), once.at("run_ids"));
    EXPECT_EQ(twice.at("received"), once.at("received"));
    EXPECT_EQ(twice.at("latency_histogram"), once.at("latency_histogram"));
    for (const char* key : {"samples", "min", "p50", "p90", "p99", "p99_9", "max"})
        EXPECT_EQ(twice.at("latency_us").at(key), once.at("latency_us").at(key)) << key;
    EXPECT_NEAR(latency(twice, "mean"), latency(once, "mean"), 1e-9);
}

TEST(BenchMerge, DifferingQosWarnsAndTheFirstIsShown) {
    std::vector<std::string> warnings;
    const auto merged = merge_reports(
        {report("a.json", "1", {1000}, 1), report("b.json", "2", {2000}, 2)}, warnings);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("qos"), std::string::npos);
    EXPECT_NE(warnings[0].find("b.json"), std::string::npos);
    EXPECT_EQ(merged.at("qos").to_number<int>(), 1);
}

TEST(BenchMerge, ARunInTwoInputsWarns) {
    std::vector<std::string> warnings;
    const auto a = report("a.json", "aaaa", {1000});
    const named_report merged{"m.json", merge_reports({a, report("b", "bbbb", {1})}, warnings)};
    EXPECT_TRUE(warnings.empty());
    merge_reports({merged, a}, warnings);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("run aaaa"), std::string::npos) << warnings[0];
}

TEST(BenchMerge, MalformedFieldIsReportedWithItsFile) {
    auto bad = report("pod-2.json", "2", {1000});
    bad.report["received"] = "many";
    std::vector<std::string> warnings;
    try {
        merge_reports({report("pod-1.json", "1", {1000}), bad}, warnings);
        FAIL() << "accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("pod-2.json"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("received"), std::string::npos) << e.what();
    }
}

TEST(BenchMerge, SamplesDisagreeingWithTheHistogramAreRefused) {
    auto bad = report("pod-1.json", "1", {1000, 2000});
    bad.report["latency_us"].as_object()["samples"] = 5;
    std::vector<std::string> warnings;
    EXPECT_THROW(merge_reports({bad}, warnings), std::runtime_error);
}

TEST(BenchMerge, SummaryListsTheMergedRuns) {
    std::vector<std::string> warnings;
    const auto merged =
        merge_reports({report("a", "aaaa", {1000}), report("b", "bbbb", {2000})}, warnings);
    std::ostringstream out;
    print_summary(merged, out);
    EXPECT_NE(out.str().find("2 runs merged: aaaa bbbb"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("sent 4  expected 4  received 2  lost 2"), std::string::npos)
        << out.str();
}

}  // namespace
}  // namespace harness::cli::bench
