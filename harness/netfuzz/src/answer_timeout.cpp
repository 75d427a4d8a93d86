// Sizing the answer timeout of a campaign: see answer_timeout.hpp.
#include "harness/netfuzz/answer_timeout.hpp"

#include <algorithm>
#include <cstddef>

namespace harness::netfuzz {

bool answer_timeout_tuner::observe(bool stalled, microseconds slowest_answer) {
    stalled_ += stalled ? 1 : 0;
    if (slowest_answer.count() > 0)
        answers_.push_back(slowest_answer);
    if (++cases_ < window)
        return false;
    const milliseconds before = current_;
    microseconds p95{0};
    if (!answers_.empty()) {
        const auto at = answers_.begin() + static_cast<std::ptrdiff_t>(answers_.size() * 95 / 100);
        std::nth_element(answers_.begin(), at, answers_.end());
        p95 = *at;
    }
    const bool cut_short = answers_.empty() || p95 * 2 > current_;
    if (stalled_ * 4 > cases_ && cut_short) {
        current_ = std::min(std::max(longest, base_), current_ * 2);
    } else if (!answers_.empty()) {
        current_ =
            std::clamp(std::chrono::ceil<milliseconds>(p95 * 2), base_, std::max(longest, base_));
    }
    last_p95_ = p95;
    cases_ = stalled_ = 0;
    answers_.clear();
    return current_ != before;
}

}  // namespace harness::netfuzz
