#include "bench_payload.hpp"

namespace harness::cli::bench {
namespace {

template <class T>
void put(std::span<std::uint8_t> out, std::size_t at, T value) {
    const auto v = static_cast<std::uint64_t>(value);
    for (std::size_t k = 0; k < sizeof(T); ++k)
        out[at + k] = static_cast<std::uint8_t>(v >> (8 * k));
}

template <class T>
T get(std::span<const std::uint8_t> in, std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < sizeof(T); ++k)
        v |= static_cast<std::uint64_t>(in[at + k]) << (8 * k);
    return static_cast<T>(v);
}

}  // namespace

void write_header(const payload_header& h, std::span<std::uint8_t> payload) {
    put(payload, 0, h.run_id);
    put(payload, 8, h.publisher);
    put(payload, 12, h.sequence);
    put(payload, 20, h.sent_ns);
}

codec::binary make_payload(const payload_header& h, std::size_t size) {
    codec::binary payload(size < header_size ? header_size : size, 0);
    write_header(h, payload);
    return payload;
}

std::optional<payload_header> read_header(std::span<const std::uint8_t> payload) {
    if (payload.size() < header_size)
        return std::nullopt;
    return payload_header{get<std::uint64_t>(payload, 0), get<std::uint32_t>(payload, 8),
                          get<std::uint64_t>(payload, 12), get<std::int64_t>(payload, 20)};
}

}  // namespace harness::cli::bench
