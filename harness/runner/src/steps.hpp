// The action steps of a scenario: connect, subscribe, unsubscribe, publish, disconnect, sleep
// and fault injection. (expect and expect_none are in expectations.hpp, wait_log in
// components.hpp.)
#pragma once

#include "context.hpp"

namespace harness::runner {

/// Runs an action step; a failure when it did not do what the file says.
asio::awaitable<std::optional<failure>> run_action_step(scenario_context& ctx,
                                                        const scenario::step& st,
                                                        std::size_t index);

/// Publishes `spec` `repeat` times ({{seq}} = 1, 2, …) at `rate` per second (none: no pause);
/// returns a failure message or "".
asio::awaitable<std::string> publish_repeated(scenario_context& ctx, client_actor& c,
                                              const scenario::message_spec& spec,
                                              const scenario::position& where, std::uint32_t repeat,
                                              std::optional<double> rate,
                                              std::optional<int> expect_reason,
                                              const bool* stop = nullptr);

}  // namespace harness::runner
