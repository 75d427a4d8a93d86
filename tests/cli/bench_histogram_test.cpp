// bench's log-linear latency histogram: buckets tile the values without gaps and are at most
// 2^-P of their values wide, percentiles lie within that precision above the exact nearest rank
// (random data, fixed seed), a merge equals the histogram of the union, JSON round-trips and
// malformed JSON is refused with its reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "bench_histogram.hpp"

namespace harness::cli::bench {
namespace {

namespace json = boost::json;

/// Latencies spread log-uniformly over 1 ns .. 10 s, plus a few exact small values.
std::vector<std::int64_t> random_latencies(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 random(seed);
    std::uniform_real_distribution<double> exponent(0.0, 10.0);
    std::vector<std::int64_t> values;
    for (std::size_t k = 0; k < n; ++k)
        values.push_back(static_cast<std::int64_t>(std::pow(10.0, exponent(random))));
    values.insert(values.end(), {0, 1, 127, 128, 129, 255, 256});
    return values;
}

std::int64_t exact_nearest_rank(std::vector<std::int64_t> sorted, double p) {
    std::sort(sorted.begin(), sorted.end());
    auto k = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    k = std::clamp<std::size_t>(k, 1, sorted.size());
    return sorted[k - 1];
}

log_histogram histogram_of(const std::vector<std::int64_t>& values) {
    log_histogram h;
    for (const auto v : values)
        h.record(v);
    return h;
}

TEST(BenchHistogram, BucketsTileAllValuesAndAreAtMostOneIn128Wide) {
    const log_histogram h;
    ASSERT_EQ(h.precision_bits(), 7);
    EXPECT_EQ(h.lowest_in(0), 0);
    EXPECT_EQ(h.highest_in(h.bucket_limit() - 1), std::numeric_limits<std::int64_t>::max());
    for (std::size_t b = 0; b < h.bucket_limit(); ++b) {
        const auto lo = h.lowest_in(b), hi = h.highest_in(b);
        ASSERT_LE(lo, hi) << b;
        ASSERT_EQ(h.bucket_of(lo), b);
        ASSERT_EQ(h.bucket_of(hi), b);
        if (b + 1 < h.bucket_limit()) {
            ASSERT_EQ(h.lowest_in(b + 1), hi + 1) << b;
        }
        ASSERT_LE(hi - lo, lo / 128) << b;  // width - 1 < value / 2^7
    }
}

TEST(BenchHistogram, ValuesBelow128AreExact) {
    const log_histogram h;
    for (std::int64_t v = 0; v < 128; ++v) {
        EXPECT_EQ(h.lowest_in(h.bucket_of(v)), v);
        EXPECT_EQ(h.highest_in(h.bucket_of(v)), v);
    }
}

TEST(BenchHistogram, PercentilesAreAtMostOneIn128AboveExactNearestRank) {
    const auto values = random_latencies(100'000, 20261126);
    const auto h = histogram_of(values);
    ASSERT_EQ(h.count(), values.size());
    EXPECT_EQ(h.min(), *std::min_element(values.begin(), values.end()));
    EXPECT_EQ(h.max(), *std::max_element(values.begin(), values.end()));
    for (const double p : {0.0, 0.001, 1.0, 10.0, 25.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
        const auto exact = exact_nearest_rank(values, p);
        const auto reported = h.percentile(p);
        EXPECT_GE(reported, exact) << "p" << p;
        EXPECT_LE(reported - exact, exact / 128) << "p" << p << " exact " << exact;
    }
    EXPECT_EQ(h.percentile(100), h.max());
}

TEST(BenchHistogram, EmptyHistogramReportsZero) {
    const log_histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentile(50), 0);
    EXPECT_EQ(h.min(), 0);
    EXPECT_EQ(h.max(), 0);
}

TEST(BenchHistogram, NegativeValuesCountAsZero) {
    log_histogram h;
    h.record(-5);
    EXPECT_EQ(h.min(), 0);
    EXPECT_EQ(h.percentile(50), 0);
}

TEST(BenchHistogram, MergeEqualsHistogramOfTheUnion) {
    const auto a = random_latencies(20'000, 1);
    auto b = random_latencies(30'000, 2);
    for (auto& v : b)
        v = v / 3 + 1000;  // a different distribution
    auto merged = histogram_of(a);
    merged.merge(histogram_of(b));
    auto all = a;
    all.insert(all.end(), b.begin(), b.end());
    const auto whole = histogram_of(all);
    EXPECT_EQ(merged, whole);
    EXPECT_EQ(merged.count(), all.size());
    for (const double p : {50.0, 90.0, 99.0, 99.9})
        EXPECT_EQ(merged.percentile(p), whole.percentile(p)) << "p" << p;
}

TEST(BenchHistogram, MergeWithEmptyChangesNothing) {
    auto h = histogram_of({300, 4000, 5});
    const auto before = h;
    h.merge(log_histogram{});
    EXPECT_EQ(h, before);
    log_histogram empty;
    empty.merge(before);
    EXPECT_EQ(empty, before);
}

TEST(BenchHistogram, DifferentPrecisionsDoNotMerge) {
    log_histogram a(7), b(8);
    b.record(1000);
    EXPECT_THROW(a.merge(b), std::invalid_argument);
    EXPECT_THROW(log_histogram(0), std::invalid_argument);
    EXPECT_THROW(log_histogram(17), std::invalid_argument);
}

TEST(BenchHistogram, JsonRoundTripGivesAnEqualHistogram) {
    const auto h = histogram_of(random_latencies(10'000, 7));
    const auto text = json::serialize(to_json(h));
    const auto back = histogram_from_json(json::parse(text));
    EXPECT_EQ(back, h);
    EXPECT_EQ(back.min(), h.min());
    EXPECT_EQ(back.max(), h.max());
    EXPECT_EQ(back.percentile(99), h.percentile(99));
}

TEST(BenchHistogram, JsonHoldsNonEmptyBucketsOnly) {
    const auto h = histogram_of({10, 10, 1'000'000});
    const auto o = to_json(h);
    EXPECT_EQ(o.at("unit").as_string(), "ns");
    EXPECT_EQ(o.at("precision_bits").to_number<int>(), 7);
    EXPECT_EQ(json::serialize(o.at("buckets")),
              "[[10,2],[" + std::to_string(h.bucket_of(1'000'000)) + ",1]]");
    EXPECT_EQ(histogram_from_json(json::parse(json::serialize(to_json(log_histogram{})))),
              log_histogram{});
}

TEST(BenchHistogram, MalformedJsonIsRefusedWithItsReason) {
    const auto reason = [](const char* text) {
        try {
            histogram_from_json(json::parse(text));
        } catch (const std::runtime_error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    EXPECT_NE(reason(R"({"unit":"us","precision_bits":7,"buckets":[]})").find("unit"),
              std::string::npos);
    EXPECT_NE(reason(R"({"unit":"ns","precision_bits":30,"buckets":[]})").find("precision_bits"),
              std::string::npos);
    EXPECT_NE(reason(R"({"unit":"ns","precision_bits":7,"buckets":[[99999,1]],"min":0,"max":0})")
                  .find("out of range"),
              std::string::npos);
    EXPECT_NE(reason(R"({"unit":"ns","precision_bits":7,"buckets":[[3,-1]]})").find("count"),
              std::string::npos);
    EXPECT_NE(reason(R"({"unit":"ns","precision_bits":7,"buckets":[[3,1]],"min":5,"max":5})")
                  .find("min and max"),
              std::string::npos);
    EXPECT_NE(reason(R"([1,2])").find("not an object"), std::string::npos);
}

}  // namespace
}  // namespace harness::cli::bench
