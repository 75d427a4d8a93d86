// Structure-aware mutation for codec_decode: splits an input (selector byte, then a byte
// stream) into packets, mutates one decoded packet at model level and re-encodes it, or works
// on whole packets (duplicate, drop, move, splice, a new packet). Used by the fuzzer's
// LLVMFuzzerCustomMutator and LLVMFuzzerCustomCrossOver (packet_mutator.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>

#include "harness/codec/packets.hpp"

namespace codec_fuzz {

namespace codec = harness::codec;

/// The mutators' random source: cheap, deterministic in libFuzzer's seed.
class random_source {
  public:
    explicit random_source(unsigned seed) : engine_(seed ? seed : 1u) {}
    std::uint32_t next() { return static_cast<std::uint32_t>(engine_()); }
    /// Uniform in [0, n); 0 when n is 0.
    std::uint32_t below(std::uint32_t n) { return n == 0 ? 0 : next() % n; }
    bool one_in(std::uint32_t n) { return below(n) == 0; }

  private:
    std::minstd_rand engine_;
};

/// Changes one field of `p` (ids, QoS, flags, topics, payload, properties, options, reason
/// codes, CONNECT fields and will) to a nearby, boundary or invalid value.
void mutate_packet(codec::packet& p, codec::protocol_version version, random_source& rng);

/// A new packet of a random type with plausible fields, for splicing into a stream.
codec::packet make_packet(codec::protocol_version version, random_source& rng);

}  // namespace codec_fuzz
