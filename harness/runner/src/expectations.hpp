// The expect and expect_none steps: messages a client must (or must not) receive, checked
// against everything the client received, with a report of what was expected beside what was
// seen when they fail.
#pragma once

#include "context.hpp"

namespace harness::runner {

/// Null on success, else the failure message (the detail goes into `f`).
asio::awaitable<std::optional<failure>> run_expect(scenario_context& ctx, const scenario::step& st,
                                                   std::size_t index,
                                                   const scenario::expect_step& e);
asio::awaitable<std::optional<failure>> run_expect_none(scenario_context& ctx,
                                                        const scenario::step& st, std::size_t index,
                                                        const scenario::expect_none_step& e);

/// A match spec in words: `topic "a/+" payload "x" qos 1`.
std::string describe_match(const scenario::message_match& m);

}  // namespace harness::runner
