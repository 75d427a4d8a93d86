// A log-linear histogram of latencies in nanoseconds, as HdrHistogram lays it out: values below
// 2^P are counted exactly, every power of two above is split into 2^P equal buckets (P =
// precision bits, 7 by default: buckets at most 1/128 = 0.78 % of their values wide). Histograms
// of several `bench` runs add up bucket by bucket, so percentiles of runs on several machines can
// be computed from their reports. JSON form: {"unit":"ns","precision_bits":7,"min":NS,"max":NS,
// "buckets":[[INDEX,COUNT],...]} with the non-empty buckets only.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <vector>

namespace harness::cli::bench {

class log_histogram {
  public:
    static constexpr int default_precision_bits = 7;
    static constexpr int max_precision_bits = 16;

    /// Throws std::invalid_argument unless 1 <= precision_bits <= max_precision_bits.
    explicit log_histogram(int precision_bits = default_precision_bits);

    /// Counts `value` (ns; negative values count as 0) `n` times.
    void record(std::int64_t value, std::uint64_t n = 1);
    /// Adds the counts of `other`; throws std::invalid_argument when its precision differs.
    void merge(const log_histogram& other);

    int precision_bits() const { return bits_; }
    std::uint64_t count() const { return count_; }
    /// The exact smallest and largest value recorded; 0 when empty.
    std::int64_t min() const { return count_ ? min_ : 0; }
    std::int64_t max() const { return count_ ? max_ : 0; }

    /// Nearest rank: the value of rank ceil(p/100 x count), reported as the upper bound of its
    /// bucket, capped at max(). Never below the exact value and less than 2^-P of it above;
    /// 0 when empty. `p` in [0, 100].
    std::int64_t percentile(double p) const;

    /// The bucket of `value` (>= 0), and the values a bucket holds (inclusive bounds).
    std::size_t bucket_of(std::int64_t value) const;
    std::int64_t lowest_in(std::size_t bucket) const;
    std::int64_t highest_in(std::size_t bucket) const;
    /// One past the largest bucket index for this precision.
    std::size_t bucket_limit() const;

    /// Non-empty buckets as (index, count), ascending.
    std::vector<std::pair<std::size_t, std::uint64_t>> buckets() const;

    friend bool operator==(const log_histogram& a, const log_histogram& b);
    friend log_histogram histogram_from_json(const boost::json::value& v);

  private:
    int bits_;
    std::vector<std::uint64_t> counts_;  // grows to the highest bucket used
    std::uint64_t count_ = 0;
    std::int64_t min_ = 0, max_ = 0;
};

boost::json::object to_json(const log_histogram& h);
/// Throws std::runtime_error saying what is wrong (wrong unit, a bucket out of range, ...).
log_histogram histogram_from_json(const boost::json::value& v);

}  // namespace harness::cli::bench
