// The log-linear latency histogram: bucket arithmetic, nearest-rank percentiles, merging, JSON.
#include "bench_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <boost/json/array.hpp>

namespace harness::cli::bench {

namespace json = boost::json;

log_histogram::log_histogram(int precision_bits) : bits_(precision_bits) {
    if (precision_bits < 1 || precision_bits > max_precision_bits)
        throw std::invalid_argument("precision_bits must be 1.." +
                                    std::to_string(max_precision_bits));
}

std::size_t log_histogram::bucket_of(std::int64_t value) const {
    const auto v = static_cast<std::uint64_t>(std::max<std::int64_t>(value, 0));
    const std::uint64_t sub_buckets = std::uint64_t{1} << bits_;
    if (v < sub_buckets)
        return static_cast<std::size_t>(v);
    const auto shift = static_cast<unsigned>(std::bit_width(v)) - 1 - static_cast<unsigned>(bits_);
    return static_cast<std::size_t>((shift + 1) * sub_buckets + ((v >> shift) - sub_buckets));
}

std::int64_t log_histogram::lowest_in(std::size_t bucket) const {
    const std::uint64_t sub_buckets = std::uint64_t{1} << bits_;
    if (bucket < sub_buckets)
        return static_cast<std::int64_t>(bucket);
    const auto shift = bucket / sub_buckets - 1;
    return static_cast<std::int64_t>((sub_buckets + bucket % sub_buckets) << shift);
}

std::int64_t log_histogram::highest_in(std::size_t bucket) const {
    const std::uint64_t sub_buckets = std::uint64_t{1} << bits_;
    if (bucket < sub_buckets)
        return static_cast<std::int64_t>(bucket);
    const auto shift = bucket / sub_buckets - 1;
    const auto lowest = (sub_buckets + bucket % sub_buckets) << shift;
    return static_cast<std::int64_t>(lowest + ((std::uint64_t{1} << shift) - 1));
}

std::size_t log_histogram::bucket_limit() const {
    return bucket_of(std::numeric_limits<std::int64_t>::max()) + 1;
}

void log_histogram::record(std::int64_t value, std::uint64_t n) {
    if (n == 0)
        return;
    value = std::max<std::int64_t>(value, 0);
    const auto b = bucket_of(value);
    if (b >= counts_.size())
        counts_.resize(b + 1);
    counts_[b] += n;
    min_ = count_ ? std::min(min_, value) : value;
    max_ = count_ ? std::max(max_, value) : value;
    count_ += n;
}

void log_histogram::merge(const log_histogram& other) {
    if (other.bits_ != bits_)
        throw std::invalid_argument("histograms of different precision (" + std::to_string(bits_) +
                                    " and " + std::to_string(other.bits_) + " bits)");
    if (other.count_ == 0)
        return;
    if (other.counts_.size() > counts_.size())
        counts_.resize(other.counts_.size());
    for (std::size_t b = 0; b < other.counts_.size(); ++b)
        counts_[b] += other.counts_[b];
    min_ = count_ ? std::min(min_, other.min_) : other.min_;
    max_ = count_ ? std::max(max_, other.max_) : other.max_;
    count_ += other.count_;
}

std::int64_t log_histogram::percentile(double p) const {
    if (count_ == 0)
        return 0;
    const auto wanted = std::clamp<std::uint64_t>(
        static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))), 1, count_);
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < counts_.size(); ++b) {
        seen += counts_[b];
        if (seen >= wanted)
            return std::min(highest_in(b), max_);
    }
    return max_;
}

std::vector<std::pair<std::size_t, std::uint64_t>> log_histogram::buckets() const {
    std::vector<std::pair<std::size_t, std::uint64_t>> out;
    for (std::size_t b = 0; b < counts_.size(); ++b) {
        if (counts_[b] != 0)
            out.emplace_back(b, counts_[b]);
    }
    return out;
}

bool operator==(const log_histogram& a, const log_histogram& b) {
    return a.bits_ == b.bits_ && a.count_ == b.count_ && a.min() == b.min() && a.max() == b.max() &&
           a.buckets() == b.buckets();
}

json::object to_json(const log_histogram& h) {
    json::object o;
    o["unit"] = "ns";
    o["precision_bits"] = h.precision_bits();
    o["min"] = h.min();
    o["max"] = h.max();
    json::array buckets;
    for (const auto& [index, count] : h.buckets())
        buckets.push_back(json::array{index, count});
    o["buckets"] = std::move(buckets);
    return o;
}

namespace {

[[noreturn]] void invalid(const std::string& what) {
    throw std::runtime_error("latency_histogram: " + what);
}

/// A non-negative integer of JSON (written as an integer, not 1.5 or "1").
std::uint64_t whole(const json::value& v, const char* what) {
    if (v.is_uint64())
        return v.get_uint64();
    if (v.is_int64() && v.get_int64() >= 0)
        return static_cast<std::uint64_t>(v.get_int64());
    invalid(std::string(what) + " must be a non-negative integer");
}

}  // namespace

log_histogram histogram_from_json(const json::value& v) {
    const auto* o = v.if_object();
    if (!o)
        invalid("not an object");
    const auto* unit = o->if_contains("unit");
    if (!unit || !unit->is_string() || unit->get_string() != "ns")
        invalid("unit must be \"ns\"");
    const auto* bits = o->if_contains("precision_bits");
    if (!bits)
        invalid("precision_bits missing");
    const auto precision = whole(*bits, "precision_bits");
    if (precision < 1 || precision > static_cast<std::uint64_t>(log_histogram::max_precision_bits))
        invalid("precision_bits must be 1.." + std::to_string(log_histogram::max_precision_bits));
    log_histogram h(static_cast<int>(precision));
    const auto* buckets = o->if_contains("buckets");
    if (!buckets || !buckets->is_array())
        invalid("buckets must be an array of [index, count]");
    for (const auto& entry : buckets->get_array()) {
        const auto* pair = entry.if_array();
        if (!pair || pair->size() != 2)
            invalid("buckets must be an array of [index, count]");
        const auto index = whole((*pair)[0], "a bucket index");
        if (index >= h.bucket_limit())
            invalid("bucket index " + std::to_string(index) + " out of range");
        // The bucket's lowest value stands for its values; min and max are set exactly below.
        h.record(h.lowest_in(static_cast<std::size_t>(index)), whole((*pair)[1], "a count"));
    }
    if (h.count() == 0)
        return h;
    const auto* min = o->if_contains("min");
    const auto* max = o->if_contains("max");
    if (!min || !max)
        invalid("min and max missing");
    const auto lo = whole(*min, "min"), hi = whole(*max, "max");
    if (lo > hi || hi > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ||
        h.bucket_of(static_cast<std::int64_t>(lo)) != h.bucket_of(h.min()) ||
        h.bucket_of(static_cast<std::int64_t>(hi)) != h.bucket_of(h.max()))
        invalid("min and max do not lie in the first and last non-empty bucket");
    h.min_ = static_cast<std::int64_t>(lo);
    h.max_ = static_cast<std::int64_t>(hi);
    return h;
}

}  // namespace harness::cli::bench
