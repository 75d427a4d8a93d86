// The cases a campaign keeps because their response shape was new: the ones most new cases are
// mutated from. Bounded twice: by count and by the memory its cases hold (estimated by
// footprint()), so that a long run with large cases stays within a known size; when a new case
// does not fit, randomly chosen cases make room for it.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "harness/netfuzz/fuzz_case.hpp"
#include "harness/netfuzz/fuzz_random.hpp"

namespace harness::netfuzz {

struct corpus_limits {
    std::size_t max_cases = 2048;
    std::size_t max_bytes = 64u << 20;  // of footprint()
};

/// The memory a kept case holds, estimated: per step its bytes, its note, and as much again as
/// its bytes for the packet they were encoded from (when it still has it), plus the step itself.
std::size_t footprint(const fuzz_case& c) noexcept;

class corpus {
  public:
    explicit corpus(corpus_limits limits = {}) : limits_(limits) {}

    /// Keeps `c`, evicting random cases until it fits; false (and nothing evicted) when `c`
    /// alone is larger than the byte limit or the count limit is 0.
    bool add(fuzz_case c, fuzz_random& random);

    std::span<const fuzz_case> cases() const noexcept { return cases_; }
    const fuzz_case& operator[](std::size_t i) const { return cases_[i]; }
    std::size_t size() const noexcept { return cases_.size(); }
    bool empty() const noexcept { return cases_.empty(); }
    /// The sum of the footprints of the cases kept.
    std::size_t bytes() const noexcept { return bytes_; }
    const corpus_limits& limits() const noexcept { return limits_; }

  private:
    void evict(std::size_t i);

    corpus_limits limits_;
    std::vector<fuzz_case> cases_;
    std::vector<std::size_t> sizes_;  // footprint of each case, in the same order
    std::size_t bytes_ = 0;
};

}  // namespace harness::netfuzz
