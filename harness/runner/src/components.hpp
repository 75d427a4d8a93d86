// Components under test: started before the steps with their templates filled in, waited for
// until ready, watched for an early exit (which fails the scenario), stopped after the steps,
// their logs attached to the result. Also the wait_log step.
#pragma once

#include <memory>

#include "context.hpp"
#include "harness/runner/process.hpp"

namespace harness::runner {

struct running_component {
    const scenario::component_spec* spec = nullptr;
    std::unique_ptr<process> proc;
};

/// Starts every component in order and waits for each to be ready; a failure (with the
/// component's log) when one cannot start, exits, or is not ready in time.
asio::awaitable<std::optional<failure>> start_components(
    scenario_context& ctx, std::vector<running_component>& components);

/// Stops the components (last started first) and records their logs and exit statuses.
asio::awaitable<void> stop_components(scenario_context& ctx,
                                      std::vector<running_component>& components);

asio::awaitable<std::optional<failure>> run_wait_log(scenario_context& ctx,
                                                     std::vector<running_component>& components,
                                                     const scenario::step& st, std::size_t index,
                                                     const scenario::wait_log_step& w);

}  // namespace harness::runner
