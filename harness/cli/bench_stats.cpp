#include "bench_stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace harness::cli::bench {

latency_summary summarize(std::vector<std::int64_t>& ns) {
    latency_summary s;
    s.samples = ns.size();
    if (ns.empty())
        return s;
    std::sort(ns.begin(), ns.end());
    const auto rank = [&](double p) {
        auto k = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(ns.size())));
        k = std::clamp<std::size_t>(k, 1, ns.size());
        return static_cast<double>(ns[k - 1]) / 1000.0;
    };
    s.min_us = static_cast<double>(ns.front()) / 1000.0;
    s.max_us = static_cast<double>(ns.back()) / 1000.0;
    s.mean_us =
        std::accumulate(ns.begin(), ns.end(), 0.0) / static_cast<double>(ns.size()) / 1000.0;
    s.p50_us = rank(50);
    s.p90_us = rank(90);
    s.p99_us = rank(99);
    s.p999_us = rank(99.9);
    return s;
}

delivery_counter::delivery_counter(std::size_t subscribers, std::size_t publishers,
                                   std::uint64_t count)
    : publishers_(publishers), count_(count), streams_(subscribers * publishers) {}

delivery_counter::verdict delivery_counter::record(std::size_t subscriber, std::uint32_t publisher,
                                                   std::uint64_t sequence) {
    if (publisher >= publishers_ || sequence >= count_ ||
        subscriber * publishers_ + publisher >= streams_.size()) {
        ++stray_;
        return verdict::stray;
    }
    auto& s = streams_[subscriber * publishers_ + publisher];
    if (s.seen.empty())
        s.seen.resize(count_);
    if (s.seen[sequence]) {
        ++duplicates_;
        return verdict::duplicate;
    }
    s.seen[sequence] = true;
    ++unique_;
    if (s.any && sequence < s.highest) {
        ++out_of_order_;
        return verdict::out_of_order;
    }
    s.highest = sequence;
    s.any = true;
    return verdict::fresh;
}

}  // namespace harness::cli::bench
