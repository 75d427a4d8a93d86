// The scenario's MQTT connections: built from client specs, traced packet by packet, their
// received messages kept (topics without the run's prefix) for expectations and stand-ins.
#pragma once

#include "context.hpp"

namespace harness::runner {

/// Creates the actor for a declared client (not connected).
client_actor& add_client(scenario_context& ctx, const scenario::client_spec& spec);
/// Creates a connection of the harness's own (a stand-in's, a readiness watcher's), 5.0.
client_actor& add_internal_client(scenario_context& ctx, const std::string& name);

/// Connects; on failure returns the message (naming the client and the cause).
asio::awaitable<std::optional<std::string>> connect_client(scenario_context& ctx,
                                                           client_actor& actor,
                                                           std::optional<bool> clean_start,
                                                           std::optional<int> expect_reason);

/// Disconnects every connected client gracefully (bounded by the run's timeout).
asio::awaitable<void> disconnect_all(scenario_context& ctx);

/// The last `n` trace lines of each client, "client: line".
std::vector<std::string> last_packets(const scenario_context& ctx, std::size_t n);

}  // namespace harness::runner
