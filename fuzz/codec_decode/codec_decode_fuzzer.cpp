// libFuzzer target over the MQTT codec: frames the input with frame_reader, fed in chunks so
// incremental framing is exercised, decodes every frame, and checks the round trip (whatever
// decodes re-encodes to bytes that decode to an equal packet). Any broken invariant aborts.
//
// Input layout: byte 0 is a selector, the rest is the byte stream.
//   protocol level = 3 + selector % 3   (so selectors 0x03, 0x04, 0x05 mean levels 3, 4, 5)
//   split          = selector / 3       0: one byte per feed(); 1: everything in one feed();
//                                       n >= 2: pseudo-random chunks of 1..n bytes
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "harness/codec/codec.hpp"
#include "harness/codec/framing.hpp"
#include "harness/codec/packets.hpp"

namespace {

namespace codec = harness::codec;
using bytes_view = std::span<const std::uint8_t>;

// Bounds memory per input; libFuzzer inputs are far smaller anyway.
constexpr std::uint32_t max_packet_size = 1u << 20;
// Hex dumps in failure reports are cut here; the crash artifact keeps the whole input.
constexpr std::size_t max_dump = 2048;

struct context {
    codec::protocol_version version = codec::protocol_version::v5;
    unsigned split = 1;
};

void dump(const char* label, bytes_view bytes) {
    std::fprintf(stderr, "  %s (%zu bytes): ", label, bytes.size());
    const std::size_t n = bytes.size() < max_dump ? bytes.size() : max_dump;
    for (std::size_t i = 0; i < n; ++i)
        std::fprintf(stderr, "%02x", bytes[i]);
    std::fprintf(stderr, "%s\n", n < bytes.size() ? "..." : "");
}

[[noreturn]] void fail(const context& ctx, const std::string& what, bytes_view frame_bytes,
                       bytes_view encoded = {}, bytes_view reencoded = {}) {
    std::fprintf(stderr, "\n==codec_decode_fuzzer== ORACLE FAILURE: %s\n", what.c_str());
    std::fprintf(stderr, "  protocol level %u, split %u\n", static_cast<unsigned>(ctx.version),
                 ctx.split);
    if (!frame_bytes.empty())
        dump("frame", frame_bytes);
    if (!encoded.empty())
        dump("re-encoded", encoded);
    if (!reencoded.empty())
        dump("re-encoded again", reencoded);
    std::fflush(stderr);
    std::abort();
}

std::string type_name(const codec::packet& p) {
    return std::string(codec::to_string(codec::type_of(p)));
}

/// The round-trip oracle for one decoded frame.
void check_frame(const context& ctx, const codec::frame& f) {
    auto first = codec::decode_body(f, ctx.version);

    // codec::decode() over the same bytes must agree with decode_body() over the frame (both
    // demand a minimal remaining length only at level 5, as the frame_reader does).
    {
        auto whole = codec::decode(f.bytes, ctx.version);
        if (whole.has_value() != first.has_value()) {
            fail(ctx,
                 std::string("decode() and decode_body() disagree: ") +
                     (first ? "decode_body() accepts, decode() says: " + whole.error().message
                            : "decode() accepts, decode_body() says: " + first.error().message),
                 f.bytes);
        }
        if (first && !(*whole == *first)) {
            fail(ctx, "decode() and decode_body() give different " + type_name(*first), f.bytes);
        }
        if (!first && (whole.error().code != first.error().code ||
                       whole.error().offset + f.offset != first.error().offset)) {
            fail(ctx,
                 "decode() and decode_body() report different errors: \"" + whole.error().message +
                     "\" vs \"" + first.error().message + "\"",
                 f.bytes);
        }
    }
    if (!first)
        return;

    // A CONNECT is written at its own level; every packet is read back at the frame's level.
    std::vector<std::uint8_t> encoded;
    if (const auto ec = codec::encode(*first, ctx.version, encoded)) {
        fail(ctx, "decoded " + type_name(*first) + " does not encode: " + ec.message(), f.bytes);
    }
    auto second = codec::decode(encoded, ctx.version);
    if (!second) {
        fail(ctx, "re-encoded " + type_name(*first) + " does not decode: " + second.error().message,
             f.bytes, encoded);
    }
    if (!(*second == *first)) {
        std::vector<std::uint8_t> reencoded;
        codec::encode(*second, ctx.version, reencoded);
        fail(ctx, "re-encoded " + type_name(*first) + " decodes to a different packet", f.bytes,
             encoded, reencoded);
    }
}

/// Chunk lengths for feed(), deterministic in the selector.
class chunker {
  public:
    chunker(unsigned split, std::uint8_t selector)
        : split_(split), state_(0x9E3779B9u ^ (std::uint32_t{selector} * 0x85EBCA6Bu)) {}

    std::size_t next(std::size_t left) {
        std::size_t n = left;
        if (split_ == 0) {
            n = 1;
        } else if (split_ >= 2) {
            state_ ^= state_ << 13;  // xorshift32
            state_ ^= state_ >> 17;
            state_ ^= state_ << 5;
            n = 1 + state_ % split_;
        }
        return n < left ? n : left;
    }

  private:
    unsigned split_;
    std::uint32_t state_;
};

struct framing_result {
    std::vector<std::pair<std::size_t, std::size_t>> frames;  // offset, size
    std::optional<codec::decode_error> error;
    std::size_t buffered = 0;
};

/// Frames `stream` fed in chunks, checking each frame against the stream; calls on_frame.
template <class OnFrame>
framing_result run_framing(const context& ctx, bytes_view stream, chunker chunks,
                           OnFrame&& on_frame) {
    framing_result result;
    codec::frame_reader reader(max_packet_size);
    reader.set_protocol(ctx.version);
    std::size_t fed = 0;
    std::size_t expected_offset = 0;
    while (fed < stream.size() && !result.error) {
        const std::size_t n = chunks.next(stream.size() - fed);
        reader.feed(stream.subspan(fed, n));
        fed += n;
        while (true) {
            auto next = reader.next();
            if (!next) {
                result.error = next.error();
                break;
            }
            if (!*next)
                break;
            const codec::frame& f = **next;
            const bool consistent =
                f.offset == expected_offset && f.offset + f.bytes.size() <= fed &&
                f.bytes.size() >= 2 && f.header == f.bytes[0] &&
                f.body.data() + f.body.size() == f.bytes.data() + f.bytes.size() &&
                f.body_offset == f.offset + (f.bytes.size() - f.body.size()) &&
                std::equal(f.bytes.begin(), f.bytes.end(), stream.begin() + f.offset);
            if (!consistent)
                fail(ctx, "frame does not match the input stream", f.bytes);
            expected_offset += f.bytes.size();
            result.frames.emplace_back(f.offset, f.bytes.size());
            on_frame(f);
        }
    }
    result.buffered = reader.buffered();
    if (!result.error && (reader.offset() != expected_offset ||
                          expected_offset + result.buffered != stream.size())) {
        fail(ctx, "frame_reader lost or invented bytes", {});
    }
    return result;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::uint8_t selector = data[0];
    context ctx;
    ctx.version = static_cast<codec::protocol_version>(3 + selector % 3);
    ctx.split = selector / 3u;
    const bytes_view stream(data + 1, size - 1);

    const auto chunked = run_framing(ctx, stream, chunker(ctx.split, selector),
                                     [&](const codec::frame& f) { check_frame(ctx, f); });
    if (ctx.split == 1)
        return 0;

    // Incremental framing must not depend on how the bytes were split.
    const auto whole = run_framing(ctx, stream, chunker(1, selector), [](const codec::frame&) {});
    const bool same_error = chunked.error.has_value() == whole.error.has_value() &&
                            (!chunked.error || (chunked.error->code == whole.error->code &&
                                                chunked.error->offset == whole.error->offset));
    // After an error the chunked run stops feeding, so only error-free runs buffer the same.
    const bool same_rest = chunked.error || chunked.buffered == whole.buffered;
    if (chunked.frames != whole.frames || !same_error || !same_rest) {
        fail(ctx, "framing in chunks differs from framing all at once", {});
    }
    return 0;
}
