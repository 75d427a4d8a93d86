// Baseline for exec/s measurements (bench/fuzz/decoder_exec_rate.sh): the codec's framing and
// decode_body() once per frame, with the input layout of codec_decode (byte 0 picks the protocol
// level) but no oracle, no chunked feeding and no custom mutator. Its exec/s is what the codec
// alone costs under libFuzzer + ASan + UBSan; codec_decode adds its checks on top.
#include <cstddef>
#include <cstdint>
#include <span>

#include "harness/codec/codec.hpp"
#include "harness/codec/framing.hpp"

namespace codec = harness::codec;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const auto version = static_cast<codec::protocol_version>(3 + data[0] % 3);
    codec::frame_reader reader(1u << 20);
    reader.set_protocol(version);
    reader.feed(std::span<const std::uint8_t>(data + 1, size - 1));
    while (true) {
        auto next = reader.next();
        if (!next || !*next)
            return 0;
        (void)codec::decode_body(**next, version);
    }
}
