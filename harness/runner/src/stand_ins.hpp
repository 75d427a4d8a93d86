// Stand-ins (reactive rules: on a matching message, publish templated replies) and background
// publishers, both running alongside the steps for the whole scenario.
#pragma once

#include "context.hpp"

namespace harness::runner {

/// Subscribes every stand-in's trigger and starts reacting; a failure when a subscription or
/// a stand-in's own connection failed.
asio::awaitable<std::optional<failure>> start_stand_ins(scenario_context& ctx);

/// Starts the background publishers (they stop when ctx.finishing is set).
void start_background(scenario_context& ctx);

/// Template values of a trigger message: trigger.topic, trigger.payload, trigger.levels[N],
/// trigger.json.<path>, trigger.correlation_data, trigger.response_topic.
std::optional<std::string> trigger_value(const codec::publish& trigger, std::string_view name);

}  // namespace harness::runner
