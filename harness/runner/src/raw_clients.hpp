// Raw clients of a scenario: bare transport connections that send what the steps say (packets
// built from JSON, or hex) and keep every packet the broker sends, decoded, for expect_packet.
#pragma once

#include "context.hpp"

namespace harness::runner {

/// Creates the actor for a raw client (not connected).
raw_actor& add_raw_client(scenario_context& ctx, const scenario::client_spec& spec);

/// Opens the connection (closing an open one first) and starts its reader; on failure returns
/// the message.
asio::awaitable<std::optional<std::string>> open_raw_client(scenario_context& ctx, raw_actor& a);

/// Closes the connection: gracefully (TLS close_notify, WebSocket close), or at once when
/// `abrupt`; waits (bounded) for the reader to end.
asio::awaitable<void> close_raw_client(scenario_context& ctx, raw_actor& a, bool abrupt);

/// Closes every raw connection at once and waits (bounded) for the readers to end, so the
/// streams can be destroyed.
asio::awaitable<void> close_all_raw_clients(scenario_context& ctx);

/// Expands every string of a packet's JSON as a template; a string that is only `{{name}}` of
/// a saved value becomes that value (a number stays a number). False after a failed expansion
/// (the scenario is aborted).
bool expand_strings(scenario_context& ctx, boost::json::value& value,
                    const scenario::position& where, const scenario::template_resolver& resolve);

/// The bytes of a `send` step, or an error message (bad template, unbuildable packet).
codec::expected<std::vector<std::uint8_t>, std::string> raw_send_bytes(
    scenario_context& ctx, const raw_actor& a, const scenario::send_step& s,
    const scenario::position& where, std::string& trace_text);

}  // namespace harness::runner
