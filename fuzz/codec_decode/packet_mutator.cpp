// libFuzzer's custom mutator and cross-over for codec_decode. An input is a selector byte and a
// byte stream; the stream is split into packets by their fixed headers, then one of:
//   - a packet is decoded, one field changed at model level and the packet re-encoded;
//   - whole packets are duplicated, dropped, moved, or a new packet is spliced in;
//   - the selector changes (protocol level or split);
//   - one time in four, libFuzzer's own byte-level mutation (LLVMFuzzerMutate).
// Buffers are reused across calls, so the mutator allocates only in decode and encode.
#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "harness/codec/codec.hpp"
#include "harness/codec/framing.hpp"
#include "packet_mutator.hpp"

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace codec_fuzz {
namespace {

/// Where each packet of a stream lies; what follows the last whole packet is the tail.
struct packet_spans {
    static constexpr std::size_t capacity = 256;
    std::array<std::uint32_t, capacity> offset{};
    std::array<std::uint32_t, capacity> size{};
    std::size_t count = 0;
    std::size_t tail = 0;  // offset of the bytes after the last whole packet
};

/// Splits `stream` at packet boundaries (no copies, no allocation).
void split_packets(const std::uint8_t* stream, std::size_t length, packet_spans& spans) {
    spans.count = 0;
    std::size_t pos = 0;
    while (pos < length && spans.count < packet_spans::capacity) {
        auto header = codec::parse_fixed_header({stream + pos, length - pos}, pos, false);
        if (!header || !*header)
            break;
        const std::size_t total = (*header)->header_size + (*header)->remaining_length;
        if (total > length - pos)
            break;
        spans.offset[spans.count] = static_cast<std::uint32_t>(pos);
        spans.size[spans.count] = static_cast<std::uint32_t>(total);
        ++spans.count;
        pos += total;
    }
    spans.tail = pos;
}

codec::protocol_version version_of(std::uint8_t selector) {
    return static_cast<codec::protocol_version>(3 + selector % 3);
}

/// Builds selector + packets (in the order of `order`, an index of spans or `npos` for the
/// inserted bytes) + tail into `out`; false when it would not fit `max_size`.
constexpr std::size_t inserted = static_cast<std::size_t>(-1);

struct stream_builder {
    std::vector<std::uint8_t> bytes;

    void start(std::uint8_t selector) {
        bytes.clear();
        bytes.push_back(selector);
    }
    void append(const std::uint8_t* p, std::size_t n) { bytes.insert(bytes.end(), p, p + n); }
    /// Copies into data when it fits; returns the new size or 0.
    std::size_t finish(std::uint8_t* data, std::size_t max_size) const {
        if (bytes.size() > max_size || bytes.empty())
            return 0;
        std::memcpy(data, bytes.data(), bytes.size());
        return bytes.size();
    }
};

struct mutator_state {
    packet_spans spans;
    packet_spans other;
    stream_builder builder;
    std::vector<std::uint8_t> encoded;
    std::vector<std::size_t> order;
};

mutator_state& state() {
    static mutator_state s;
    return s;
}

/// Decodes packet `index`, changes one field, encodes it into s.encoded. False when the packet
/// does not decode or the mutation does not encode.
bool mutate_one_packet(const std::uint8_t* stream, std::size_t index,
                       codec::protocol_version version, random_source& rng) {
    auto& s = state();
    auto decoded = codec::decode({stream + s.spans.offset[index], s.spans.size[index]}, version);
    if (!decoded)
        return false;
    const int rounds = rng.one_in(4) ? 2 + static_cast<int>(rng.below(3)) : 1;
    for (int i = 0; i < rounds; ++i)
        mutate_packet(*decoded, version, rng);
    s.encoded.clear();
    return !codec::encode(*decoded, version, s.encoded);
}

std::size_t structured_mutation(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                random_source& rng) {
    auto& s = state();
    std::uint8_t selector = data[0];
    const std::uint8_t* stream = data + 1;
    split_packets(stream, size - 1, s.spans);
    const auto& spans = s.spans;

    s.order.clear();
    for (std::size_t i = 0; i < spans.count; ++i)
        s.order.push_back(i);

    // Long streams are slow to check: past 512 bytes, growing turns into dropping half the time.
    std::uint32_t choice = rng.below(20);
    if (size > 512 && (choice == 11 || choice == 12 || (choice >= 15 && choice < 18)) &&
        rng.one_in(2))
        choice = 13;
    if (choice < 11 && spans.count > 0) {  // one packet at model level
        const std::size_t index = rng.below(static_cast<std::uint32_t>(spans.count));
        if (!mutate_one_packet(stream, index, version_of(selector), rng))
            return 0;
        s.order[index] = inserted;
    } else if (choice < 13 && spans.count > 0) {  // duplicate a packet
        const std::size_t from = rng.below(static_cast<std::uint32_t>(spans.count));
        s.order.insert(s.order.begin() + rng.below(static_cast<std::uint32_t>(spans.count + 1)),
                       from);
    } else if (choice < 14 && spans.count > 1) {  // drop a packet
        s.order.erase(s.order.begin() + rng.below(static_cast<std::uint32_t>(spans.count)));
    } else if (choice < 15 && spans.count > 1) {  // swap two packets
        std::swap(s.order[rng.below(static_cast<std::uint32_t>(spans.count))],
                  s.order[rng.below(static_cast<std::uint32_t>(spans.count))]);
    } else if (choice < 18) {  // a new packet
        s.encoded.clear();
        if (codec::encode(make_packet(version_of(selector), rng), version_of(selector), s.encoded))
            return 0;
        s.order.insert(s.order.begin() + rng.below(static_cast<std::uint32_t>(spans.count + 1)),
                       inserted);
    } else if (choice < 19) {  // another protocol level
        selector = static_cast<std::uint8_t>(selector - selector % 3 + rng.below(3));
    } else {  // another split
        selector = static_cast<std::uint8_t>(selector % 3 + 3 * rng.below(8));
    }

    s.builder.start(selector);
    for (const std::size_t i : s.order) {
        if (i == inserted)
            s.builder.append(s.encoded.data(), s.encoded.size());
        else
            s.builder.append(stream + spans.offset[i], spans.size[i]);
    }
    if (!rng.one_in(4))  // usually keep the incomplete tail; sometimes cut it
        s.builder.append(stream + spans.tail, size - 1 - spans.tail);
    return s.builder.finish(data, max_size);
}

}  // namespace
}  // namespace codec_fuzz

/// HARNESS_FUZZ_BYTE_MUTATIONS=1 turns the structured mutations off (for comparisons).
extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t max_size, unsigned int seed) {
    static const bool bytes_only = [] {
        const char* flag = std::getenv("HARNESS_FUZZ_BYTE_MUTATIONS");
        return flag != nullptr && flag[0] == '1';
    }();
    codec_fuzz::random_source rng(seed);
    if (!bytes_only && size >= 2 && !rng.one_in(4)) {
        if (const std::size_t n = codec_fuzz::structured_mutation(data, size, max_size, rng))
            return n;
    }
    return LLVMFuzzerMutate(data, size, max_size);
}

/// Packets of the first input with packets of the second spliced in at a packet boundary.
extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2,
                                                 std::uint8_t* out, std::size_t max_out_size,
                                                 unsigned int seed) {
    using namespace codec_fuzz;
    if (size1 < 2 || size2 < 2)
        return 0;
    random_source rng(seed);
    auto& s = state();
    split_packets(data1 + 1, size1 - 1, s.spans);
    split_packets(data2 + 1, size2 - 1, s.other);
    if (s.other.count == 0)
        return 0;
    const std::size_t at = rng.below(static_cast<std::uint32_t>(s.spans.count + 1));
    const std::size_t first = rng.below(static_cast<std::uint32_t>(s.other.count));
    const std::size_t last =
        first + rng.below(static_cast<std::uint32_t>(s.other.count - first)) + 1;

    s.builder.start(data1[0]);
    const std::uint8_t* a = data1 + 1;
    const std::uint8_t* b = data2 + 1;
    for (std::size_t i = 0; i < at; ++i)
        s.builder.append(a + s.spans.offset[i], s.spans.size[i]);
    for (std::size_t i = first; i < last; ++i)
        s.builder.append(b + s.other.offset[i], s.other.size[i]);
    for (std::size_t i = at; i < s.spans.count; ++i)
        s.builder.append(a + s.spans.offset[i], s.spans.size[i]);
    s.builder.append(a + s.spans.tail, size1 - 1 - s.spans.tail);
    return s.builder.finish(out, max_out_size);
}

/// With a custom mutator libFuzzer starts at -max_len at once; long inputs cost much more to
/// check, so the usual slow growth (-len_control=100) is restored unless the command line sets
/// it.
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    static std::vector<char*> args;
    static char len_control[] = "-len_control=100";
    for (int i = 0; i < *argc; ++i) {
        if (std::strncmp((*argv)[i], "-len_control=", 13) == 0)
            return 0;
    }
    args.assign(*argv, *argv + *argc);
    args.push_back(len_control);
    args.push_back(nullptr);
    *argc += 1;
    *argv = args.data();
    return 0;
}
