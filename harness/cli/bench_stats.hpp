// What `mqtt-harness bench` receivers count: per (subscriber, publisher) the sequence numbers
// seen, so duplicates and out-of-order deliveries show, and every latency for percentiles.
#pragma once

#include <cstdint>
#include <vector>

namespace harness::cli::bench {

struct latency_summary {
    std::size_t samples = 0;
    double min_us = 0, mean_us = 0, p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
};

/// Nearest-rank percentiles of latencies in nanoseconds (sorts `ns`).
latency_summary summarize(std::vector<std::int64_t>& ns);

/// Deliveries from `publishers` publishers (each sending sequences 0..count-1) to
/// `subscribers` subscribers.
class delivery_counter {
  public:
    delivery_counter(std::size_t subscribers, std::size_t publishers, std::uint64_t count);

    enum class verdict { fresh, out_of_order, duplicate, stray };
    /// Records a delivery of `sequence` from `publisher` to `subscriber`.
    verdict record(std::size_t subscriber, std::uint32_t publisher, std::uint64_t sequence);

    /// A delivery that belongs to no stream of this run.
    void record_stray() { ++stray_; }

    std::uint64_t unique() const { return unique_; }
    std::uint64_t duplicates() const { return duplicates_; }
    std::uint64_t out_of_order() const { return out_of_order_; }
    std::uint64_t stray() const { return stray_; }

  private:
    struct stream {
        std::vector<bool> seen;  // allocated on the first delivery
        std::uint64_t highest = 0;
        bool any = false;
    };
    std::size_t publishers_;
    std::uint64_t count_;
    std::vector<stream> streams_;  // subscriber * publishers + publisher
    std::uint64_t unique_ = 0, duplicates_ = 0, out_of_order_ = 0, stray_ = 0;
};

}  // namespace harness::cli::bench
