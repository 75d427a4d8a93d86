// Valid MQTT sessions built from the codec's packet model: one to three connections, each opened
// with a CONNECT (3.1, 3.1.1 or 5.0, with properties, a will, credentials), then subscribe,
// publish at every QoS with the acknowledgements a client owes, unsubscribe, ping and
// disconnect, interleaved across the connections (take-over by a shared client id, shared
// subscriptions, retained messages left by one connection and read by another). The mutator
// breaks them afterwards; the generator itself only builds what a well-behaved client sends.
#pragma once

#include <cstdint>
#include <string>

#include "harness/codec/packets.hpp"
#include "harness/netfuzz/fuzz_case.hpp"
#include "harness/netfuzz/fuzz_random.hpp"

namespace harness::netfuzz {

struct generator_options {
    bool allow_v3_1 = true;
    bool allow_v3_1_1 = true;
    bool allow_v5 = true;
    /// Packets after the CONNECTs, over all connections.
    std::size_t max_packets = 10;
    /// Client ids and topics start with this, so that concurrent workers do not meet by accident
    /// (they do meet on purpose through a few shared names).
    std::string prefix = "fz";
};

/// A new valid session.
fuzz_case generate_session(fuzz_random& random, const generator_options& options);

/// A step holding `p` encoded at `version` (the note says what it is).
fuzz_step make_step(std::uint8_t connection, codec::packet p, codec::protocol_version version);

/// "PUBLISH q1 id=7 fz/a/b", "SUBSCRIBE id=3 [fz/#]", ...: a step note.
std::string describe_packet(const codec::packet& p);

}  // namespace harness::netfuzz
