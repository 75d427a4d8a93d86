// Delta debugging of a failing case: chunks of steps are removed (complements, granularity
// doubling from 2) until no single step can go, then the same over the bytes of each step, then
// reconnect flags are cleared where that keeps the failure; repeated until nothing changes or a
// limit is reached. Cases already tested are remembered and not run again.
#include "harness/netfuzz/minimize.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace harness::netfuzz {

namespace {

using clock = std::chrono::steady_clock;

constexpr std::string_view minimized_mark = " (minimized)";

/// What the test sees of a case (connections, reconnects and bytes; not notes or packets).
std::string key_of(const fuzz_case& c) {
    std::string key;
    key.reserve(c.byte_count() + c.steps.size() * 6);
    for (const auto& s : c.steps) {
        key += static_cast<char>(s.connection);
        key += s.reconnect ? '!' : ' ';
        const std::size_t n = s.bytes.size();
        key += static_cast<char>(n & 0xff);
        key += static_cast<char>((n >> 8) & 0xff);
        key += static_cast<char>((n >> 16) & 0xff);
        key += static_cast<char>((n >> 24) & 0xff);
        key.append(s.bytes.begin(), s.bytes.end());
    }
    return key;
}

/// The bounds `chunk` of `n` equal chunks of `size` items.
std::pair<std::size_t, std::size_t> chunk_bounds(std::size_t size, std::size_t n,
                                                 std::size_t chunk) {
    return {size * chunk / n, size * (chunk + 1) / n};
}

template <typename T>
std::vector<T> without(const std::vector<T>& items, std::size_t begin, std::size_t end) {
    std::vector<T> out;
    out.reserve(items.size() - (end - begin));
    out.insert(out.end(), items.begin(), items.begin() + static_cast<std::ptrdiff_t>(begin));
    out.insert(out.end(), items.begin() + static_cast<std::ptrdiff_t>(end), items.end());
    return out;
}

class minimizer {
  public:
    minimizer(fuzz_case input, case_test still_fails, minimize_limits limits)
        : current_(std::move(input)),
          still_fails_(std::move(still_fails)),
          limits_(limits),
          started_(clock::now()) {
        tried_.insert(key_of(current_));  // known to fail
    }

// GCC 12 at -O1 warns -Wmismatched-new-delete on coroutine frames (Asio's allocator); false.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

    boost::asio::awaitable<minimize_result> run() {
        for (;;) {
            const std::string before = key_of(current_);
            co_await reduce_steps();
            for (std::size_t i = 0; i < current_.steps.size() && !exhausted_; ++i)
                i = co_await reduce_bytes(i);
            co_await clear_reconnects();
            if (exhausted_ || key_of(current_) == before)
                break;
        }
        minimize_result r;
        r.smallest = std::move(current_);
        r.tests = tests_;
        r.exhausted = exhausted_;
        co_return r;
    }

  private:
    /// Runs the test on `candidate` unless it was tried before or a limit is reached; true
    /// when it still fails.
    boost::asio::awaitable<bool> fails(const fuzz_case& candidate) {
        if (exhausted_)
            co_return false;
        std::string key = key_of(candidate);
        if (tried_.contains(key))
            co_return false;  // tried and passed (the failing ones become current_)
        if (tests_ >= limits_.max_tests || clock::now() - started_ >= limits_.max_time) {
            exhausted_ = true;
            co_return false;
        }
        ++tests_;
        tried_.insert(std::move(key));
        const bool failed = co_await still_fails_(candidate);
        co_return failed;
    }

    /// ddmin over the steps: removes chunks of steps while the case still fails, until no
    /// single step can be removed. At least one step stays.
    boost::asio::awaitable<void> reduce_steps() {
        std::size_t n = 2;
        while (current_.steps.size() >= 2 && !exhausted_) {
            const std::size_t size = current_.steps.size();
            n = std::min(n, size);
            bool reduced = false;
            for (std::size_t chunk = 0; chunk < n && !exhausted_; ++chunk) {
                const auto bounds = chunk_bounds(size, n, chunk);
                const std::size_t begin = bounds.first;
                const std::size_t end = bounds.second;
                fuzz_case candidate;
                candidate.steps = without(current_.steps, begin, end);
                const bool failed = co_await fails(candidate);
                if (failed) {
                    current_ = std::move(candidate);
                    n = std::max<std::size_t>(n - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (reduced)
                continue;
            if (n >= size)
                break;
            n = std::min(n * 2, size);
        }
    }

    /// The case with step `index` holding `bytes` (its packet dropped, its note marked), or
    /// without the step when `bytes` is empty.
    fuzz_case with_bytes(std::size_t index, std::vector<std::uint8_t> bytes) const {
        fuzz_case c = current_;
        if (bytes.empty()) {
            c.steps.erase(c.steps.begin() + static_cast<std::ptrdiff_t>(index));
            return c;
        }
        auto& step = c.steps[index];
        step.bytes = std::move(bytes);
        step.packet.reset();
        if (!step.note.ends_with(minimized_mark))
            step.note += minimized_mark;
        return c;
    }

    /// ddmin over the bytes of step `index`. Returns the index of the last step handled: one
    /// less than `index` when the step went (its bytes could all go).
    boost::asio::awaitable<std::size_t> reduce_bytes(std::size_t index) {
        std::size_t n = 2;
        while (!exhausted_) {
            const auto& bytes = current_.steps[index].bytes;
            const std::size_t size = bytes.size();
            if (size == 0)
                break;
            n = std::min(n, size);
            bool reduced = false;
            bool removed_step = false;
            for (std::size_t chunk = 0; chunk < n && !exhausted_; ++chunk) {
                const auto bounds = chunk_bounds(size, n, chunk);
                const std::size_t begin = bounds.first;
                const std::size_t end = bounds.second;
                if (current_.steps.size() == 1 && end - begin == size)
                    continue;  // the last step stays
                fuzz_case candidate = with_bytes(index, without(bytes, begin, end));
                const bool failed = co_await fails(candidate);
                if (failed) {
                    removed_step = end - begin == size;
                    current_ = std::move(candidate);
                    n = std::max<std::size_t>(n - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (removed_step)
                co_return index - 1;  // wraps to SIZE_MAX for 0; the caller's ++ undoes it
            if (reduced)
                continue;
            if (n >= size)
                break;
            n = std::min(n * 2, size);
        }
        co_return index;
    }

    /// Reconnect flags that are not needed for the failure go.
    boost::asio::awaitable<void> clear_reconnects() {
        for (std::size_t i = 0; i < current_.steps.size() && !exhausted_; ++i) {
            if (!current_.steps[i].reconnect)
                continue;
            fuzz_case candidate = current_;
            candidate.steps[i].reconnect = false;
            const bool failed = co_await fails(candidate);
            if (failed)
                current_ = std::move(candidate);
        }
    }

#pragma GCC diagnostic pop

    fuzz_case current_;
    case_test still_fails_;
    minimize_limits limits_;
    clock::time_point started_;
    std::size_t tests_ = 0;
    bool exhausted_ = false;
    std::set<std::string> tried_;
};

}  // namespace

// GCC 12 at -O1 warns -Wmismatched-new-delete on coroutine frames (Asio's allocator); false.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
boost::asio::awaitable<minimize_result> minimize(fuzz_case input, case_test still_fails,
                                                 minimize_limits limits) {
    minimizer m(std::move(input), std::move(still_fails), limits);
    co_return co_await m.run();
}
#pragma GCC diagnostic pop

}  // namespace harness::netfuzz
