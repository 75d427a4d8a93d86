// Decode-and-re-encode of captured streams for the interop tests.
#include "stream_check.hpp"

#include <algorithm>
#include <type_traits>
#include <variant>

namespace harness::interop {
namespace {

std::string describe(std::string_view label, std::size_t index, const codec::frame& f) {
    std::string text(label);
    text += " packet #" + std::to_string(index) + " (" + std::string(codec::to_string(f.type())) +
            ") at offset " + std::to_string(f.offset);
    return text;
}

}  // namespace

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 3);
    for (const std::uint8_t b : bytes) {
        if (!text.empty())
            text += ' ';
        text += digits[b >> 4];
        text += digits[b & 0x0F];
    }
    return text;
}

stream_report check_stream(std::span<const std::uint8_t> bytes, codec::protocol_version version,
                           std::string_view label) {
    stream_report report;
    codec::frame_reader reader;
    reader.set_protocol(version);
    reader.feed(bytes);
    for (std::size_t index = 0;; ++index) {
        auto next = reader.next();
        if (!next) {
            const auto& error = next.error();
            report.failures.push_back(std::string(label) + ": framing failed: " + error.message +
                                      "\n  stream from offset " + std::to_string(reader.offset()) +
                                      ": " + to_hex(bytes.subspan(reader.offset())));
            return report;
        }
        if (!*next)
            break;
        const codec::frame& f = **next;

        auto decoded = codec::decode_body(f, version);
        if (!decoded) {
            report.failures.push_back(describe(label, index, f) + ": decode failed: " +
                                      decoded.error().message + "\n  bytes: " + to_hex(f.bytes));
            continue;
        }
        std::vector<std::uint8_t> encoded;
        if (const auto ec = codec::encode(*decoded, version, encoded)) {
            report.failures.push_back(describe(label, index, f) + ": re-encode failed: " +
                                      ec.message() + "\n  bytes: " + to_hex(f.bytes));
        } else if (!std::equal(encoded.begin(), encoded.end(), f.bytes.begin(), f.bytes.end())) {
            report.failures.push_back(describe(label, index, f) +
                                      ": re-encoded bytes differ\n  on the wire: " +
                                      to_hex(f.bytes) + "\n  re-encoded:  " + to_hex(encoded));
        }
        report.packets.push_back({std::move(*decoded), f.offset});
    }
    if (reader.buffered() != 0) {
        report.failures.push_back(std::string(label) + ": stream ends inside a packet: " +
                                  std::to_string(reader.buffered()) + " bytes left at offset " +
                                  std::to_string(reader.offset()) + ": " +
                                  to_hex(bytes.subspan(reader.offset())));
    }
    return report;
}

bool contains_packet(std::span<const std::uint8_t> bytes, codec::packet_type type) {
    codec::frame_reader reader;
    reader.set_protocol(codec::protocol_version::v3_1_1);  // the lenient framing rules
    reader.feed(bytes);
    while (true) {
        auto next = reader.next();
        if (!next || !*next)
            return false;
        if ((*next)->type() == type)
            return true;
    }
}

const codec::property_list* properties_of(const codec::packet& p) {
    return std::visit(
        [](const auto& value) -> const codec::property_list* {
            using type = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<type, codec::pingreq> ||
                          std::is_same_v<type, codec::pingresp>) {
                return nullptr;
            } else {
                return &value.properties;
            }
        },
        p);
}

}  // namespace harness::interop
