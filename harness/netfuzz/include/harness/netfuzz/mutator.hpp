// Mutations of a case at every level a broker's parser and state machine can be hurt from:
// fields of a packet (ids, QoS, flags, topics deep, long or malformed, payload sizes, CONNECT
// fields), 5.0 properties (added where not allowed, duplicated, boundary values), packets
// (types only a server may send, a second CONNECT, duplicates, removals, packets out of order,
// floods), sequences (splices from another case, moves between connections) and bytes (length
// lies, bit flips, truncation, reserved flag bits).
#pragma once

#include <span>
#include <string>

#include "harness/netfuzz/fuzz_case.hpp"
#include "harness/netfuzz/fuzz_random.hpp"

namespace harness::netfuzz {

struct mutation_limits {
    std::size_t max_steps = 32;
    std::size_t max_case_bytes = 128 * 1024;
};

/// Applies one to three mutations to `c`; `others` (possibly empty) are cases to splice from.
/// Returns what was done, e.g. "length lie on step 2; server-only SUBACK inserted at 3".
std::string mutate(fuzz_case& c, fuzz_random& random, std::span<const fuzz_case> others,
                   const mutation_limits& limits = {});

}  // namespace harness::netfuzz
