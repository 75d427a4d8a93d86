// Plays a case against a broker: opens each connection at its first step, writes the steps in
// order (the steps between two barriers in one write, with the barrier's PINGREQ), and reads what
// the broker answers at barriers — a PINGREQ whose PINGRESP (or the connection's end) shows that
// the broker has handled everything sent before it. A barrier runs whenever the next step is on
// another connection (so cross-connection order holds) and on every connection at the end. The
// answers become the case's response shape: per connection the packet types and reason codes
// received and how it ended, which the campaign uses as feedback.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "harness/netfuzz/fuzz_case.hpp"
#include "harness/transport/connect.hpp"
#include "harness/transport/url.hpp"

namespace harness::netfuzz {

struct execution_options {
    transport::broker_url url;
    transport::tls_options tls;
    std::chrono::milliseconds connect_timeout{3'000};
    /// How long a barrier waits for the broker; running out marks the case stalled.
    std::chrono::milliseconds answer_timeout{150};
};

struct execution_result {
    /// E.g. "[CONNACK/0 PUBLISH/q1 SUBACK/0,1] | [CONNACK/0 closed]": per connection the
    /// distinct packet types with reason codes it received, how it ended ("closed", "stalled"
    /// where a barrier ran out), connections in sorted order.
    std::string shape;
    unsigned sessions = 0;     // connections opened (each one MQTT session on the wire)
    bool unreachable = false;  // a connection could not be opened
    bool stalled = false;      // a barrier got neither a PINGRESP nor the end of the connection
    /// The longest a barrier took to be answered (PINGRESP or the end of the connection), of
    /// those answered in time; 0 when none was. How the campaign sizes its answer timeout.
    std::chrono::microseconds slowest_answer{0};
    std::string problem;  // what went wrong, for people
    /// Client ids 5.0 CONNACKs assigned to CONNECTs with an empty one (for the session sweep).
    std::vector<std::string> assigned_client_ids;
};

boost::asio::awaitable<execution_result> execute_case(const fuzz_case& c,
                                                      const execution_options& options);

/// Whether a fresh client gets a CONNACK for a plain 3.1.1 CONNECT within `within`: the
/// liveness check after a case stalled. `problem` says why not.
boost::asio::awaitable<bool> broker_answers(const execution_options& options,
                                            std::chrono::milliseconds within, std::string& problem);

}  // namespace harness::netfuzz
