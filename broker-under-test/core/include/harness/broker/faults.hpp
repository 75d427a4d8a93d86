// Fault injection for scenarios: rules that drop, delay or duplicate the packets that match
// them, in either direction, on the embedded broker.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "harness/codec/types.hpp"

namespace harness::broker {

enum class direction { in, out };

struct fault_rule {
    enum class action { drop, delay, duplicate };
    action what = action::drop;
    /// in: packets the broker receives from clients; out: packets it sends.
    direction on = direction::in;
    /// Only packets of this type; any when unset.
    std::optional<codec::packet_type> type;
    /// Only this client's packets; any client when empty.
    std::string client_id;
    /// PUBLISH only: the topic must match this filter; any topic when empty.
    std::string topic_filter;
    /// For delay: how long the packet is held before it is processed (in) or sent (out).
    std::chrono::milliseconds delay{0};
    /// How many matching packets the rule acts on before it retires; 0: no limit.
    std::uint32_t count = 1;
};

using fault_id = std::uint64_t;

}  // namespace harness::broker
