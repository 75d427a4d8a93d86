// Hex text and bytes: parsing what people write ("10 0c 00 04", "100c0004", "10:0c") on the
// command line and in fuzz cases, and writing bytes as lower-case hex.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace harness::codec {

struct hex_error {
    std::size_t position = 0;  // character position in the text
    std::string message;
};

/// Hex digits in pairs; spaces, tabs, newlines, ':' and '-' between bytes are ignored, as is
/// an optional "0x" before a byte. Either the bytes or an error naming the position.
std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text, hex_error& error);

/// Lower-case hex digits, two per byte, no separators.
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace harness::codec
