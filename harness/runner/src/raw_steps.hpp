// The steps of raw clients: send, expect_packet, expect_no_packet, expect_closed, and connect /
// disconnect on a raw client.
#pragma once

#include "context.hpp"

namespace harness::runner {

/// Runs a raw-packet step (or a connect/disconnect naming a raw client); nullopt on success.
asio::awaitable<std::optional<failure>> run_raw_step(scenario_context& ctx,
                                                     const scenario::step& st, std::size_t index,
                                                     raw_actor& a);

/// Whether `got` (a packet as `decode` prints it) has every key of `want` with an equal value:
/// maps as subsets, lists equal item by item, `{one_of: [...]}` any of the values,
/// `{absent: true}` a missing key, `type` ignoring case. Sets `why` to the first mismatch.
bool packet_matches(const boost::json::object& want, const boost::json::object& got,
                    std::string& why);

}  // namespace harness::runner
