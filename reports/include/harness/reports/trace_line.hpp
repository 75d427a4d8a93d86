// What a trace entry's text says, for drawing it: a packet a client sent or received (as the
// runner's packet_text writes it: `-> PUBLISH q1 id=3 retain "a/b" "payload" content_type="…"`),
// a step starting or failing (actor "steps"), or any other event.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace harness::reports {

struct trace_line {
    enum class kind { packet, step, step_failed, event };
    kind what = kind::event;
    bool sent = false;  // packet: "->" (client to broker) rather than "<-"
    /// packet: the first word after the arrow ("PUBLISH", "SUBACK", "bytes", "malformed").
    std::string type;
    /// packet: what follows the type; for a PUBLISH that was understood, its flags only
    /// ("q1 id=3 retain"). Events and steps: the whole text.
    std::string detail;
    std::optional<std::string> topic;    // PUBLISH: its topic
    std::optional<std::string> payload;  // PUBLISH: the payload preview, as the trace has it
    /// step_failed ("step N failed") and step ("step N: kind (where)"): N; 0 for other lines of
    /// the actor "steps", which are drawn as steps too.
    int step = 0;
};

/// Reads a trace entry of `actor`. Text it does not recognise stays whole in `detail`: nothing
/// is made up. A PUBLISH's topic and payload are quoted without escaping in the trace, so a quote
/// inside them is told apart by what follows (a space and the next quoted field, or the end).
trace_line parse_trace_line(std::string_view actor, std::string_view text);

}  // namespace harness::reports
