// Building the packets a scenario sends from its message specs: templates expanded, payload in
// its form (text, JSON, hex, file), 5.0 properties, and the topic moved under the run's prefix.
#pragma once

#include <optional>

#include "context.hpp"

namespace harness::runner {

/// The payload bytes of `spec`; nullopt (and the scenario aborted) when a template or a file
/// fails.
std::optional<codec::binary> build_payload(scenario_context& ctx,
                                           const scenario::payload_spec& spec,
                                           const scenario::position& where,
                                           const scenario::template_resolver& resolve);

std::optional<codec::property_list> build_properties(scenario_context& ctx,
                                                     const scenario::publish_properties_spec& spec,
                                                     const scenario::position& where,
                                                     const scenario::template_resolver& resolve);

/// The PUBLISH for `spec`, its topic (and response topic) on the wire.
std::optional<codec::publish> build_publish(scenario_context& ctx,
                                            const scenario::message_spec& spec,
                                            const scenario::position& where,
                                            const scenario::template_resolver& resolve);

}  // namespace harness::runner
