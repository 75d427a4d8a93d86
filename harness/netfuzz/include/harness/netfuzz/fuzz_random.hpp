// The fuzzer's source of randomness: a seeded 64-bit generator with the few draws generation and
// mutation need. One per worker, so a run is reproducible from its seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <span>

namespace harness::netfuzz {

class fuzz_random {
  public:
    explicit fuzz_random(std::uint64_t seed) : engine_(seed) {}

    std::uint64_t next() { return engine_(); }
    /// Uniform in [0, n); 0 when n is 0.
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
    /// Uniform in [lo, hi].
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi) {
        return lo + next() % (hi - lo + 1);
    }
    /// True with the given probability in percent.
    bool chance(unsigned percent) { return below(100) < percent; }
    template <class T>
    const T& pick(std::span<const T> items) {
        return items[below(items.size())];
    }

  private:
    std::mt19937_64 engine_;
};

}  // namespace harness::netfuzz
