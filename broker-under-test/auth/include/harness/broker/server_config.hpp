// From a parsed mosquitto.conf (config_file.hpp) to what the server runs: its listeners (ports,
// bind addresses, WebSocket, TLS), who may connect (password and ACL files loaded here, globally
// or per listener), and the broker's limits. Problems are collected, never thrown, each naming
// the configuration file and line they come from (or the password / ACL file's own line).
//
// Mosquitto 2.0's semantics:
// - `listener PORT` without an address listens on every address (bind_address "").
// - allow_anonymous defaults to false (listeners are configured); with per_listener_settings a
//   listener's unset security options fall back to the global ones (those before the first
//   listener line), then to that default.
// - certfile and keyfile make a listener TLS (both or neither); require_certificate needs cafile
//   and TLS; use_identity_as_username needs require_certificate.
// - Limits: max_packet_size, max_inflight_messages, max_queued_messages, max_queued_bytes (0: no
//   limit, as in Mosquitto), retain_available, max_qos, max_keepalive, sys_interval,
//   message_size_limit.
// A configuration without any listener is an error: there is no default listener.
#pragma once

#include <vector>

#include "harness/broker/config_file.hpp"
#include "harness/broker/server.hpp"

namespace harness::broker {

struct server_config_result {
    server_options options;
    std::vector<config_problem> problems;

    /// Whether any problem is an error (then `options` must not be used).
    bool has_errors() const noexcept;
};

/// Builds the server's options from `config`, reading the password and ACL files it names (each
/// file once, however many listeners use it). `options.broker` starts from `base` (the caller's
/// defaults, e.g. version_string), the configuration's values replacing it where set.
server_config_result to_server_options(const broker_config& config,
                                       const broker_options& base = {});

}  // namespace harness::broker
