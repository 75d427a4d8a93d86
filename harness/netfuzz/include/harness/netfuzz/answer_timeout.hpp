// How long a campaign waits for a barrier's answer. A slow broker (a sanitizer build, a remote
// one) answers late, and a wait that is too short turns every case into a stall; a wait that
// is too long makes every case that stalls for other reasons slow (a broker does not answer
// everything a fuzzer sends: ~15 % of cases stall against mosquitto whatever the wait). So the
// wait is sized on the answers that came, not on the stall rate alone, which would only ever
// push it up. No clock and no I/O here: cases' results in, the wait out.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

namespace harness::netfuzz {

class answer_timeout_tuner {
  public:
    using milliseconds = std::chrono::milliseconds;
    using microseconds = std::chrono::microseconds;

    static constexpr std::size_t window = 200;     // cases between two adjustments
    static constexpr milliseconds longest{2'000};  // the wait never grows past this

    explicit answer_timeout_tuner(milliseconds base) : base_(base), current_(base) {}

    /// One case's result: whether it stalled, and its slowest barrier answered in time (0 when
    /// none was). Every `window` cases: when more than a quarter stalled and the answers came
    /// close to the deadline (their 95th percentile past half of it) or none came, the wait
    /// doubles, up to `longest`; otherwise it becomes twice that percentile, at least `base`.
    /// Returns true when the wait changed.
    bool observe(bool stalled, microseconds slowest_answer);

    milliseconds current() const noexcept { return current_; }
    /// The 95th percentile of the last full window's answers (0 before the first, or when none
    /// came): for the trace.
    microseconds last_p95() const noexcept { return last_p95_; }

  private:
    milliseconds base_;
    milliseconds current_;
    std::size_t cases_ = 0, stalled_ = 0;
    std::vector<microseconds> answers_;
    microseconds last_p95_{0};
};

}  // namespace harness::netfuzz
