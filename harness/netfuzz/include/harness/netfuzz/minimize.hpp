// Shrinking a case that makes the broker fail, while it still does: delta debugging over its
// steps, then over the bytes of each step. The test (does this case still fail?) runs against the
// broker, so it is a coroutine; the number of tests is bounded.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>

#include "harness/netfuzz/fuzz_case.hpp"

namespace harness::netfuzz {

using case_test = std::function<boost::asio::awaitable<bool>(const fuzz_case&)>;

struct minimize_limits {
    std::size_t max_tests = 400;
    std::chrono::milliseconds max_time{60'000};
};

struct minimize_result {
    fuzz_case smallest;      // still fails (the input itself when nothing smaller did)
    std::size_t tests = 0;   // how often `still_fails` ran
    bool exhausted = false;  // stopped by a limit, not because it was 1-minimal
};

/// `still_fails(input)` must be true. Removes chunks of steps (ddmin), then chunks of bytes of
/// each remaining step; a step whose bytes change loses its `packet`. Never returns a case for
/// which `still_fails` was not true.
boost::asio::awaitable<minimize_result> minimize(fuzz_case input, case_test still_fails,
                                                 minimize_limits limits = {});

}  // namespace harness::netfuzz
