// Parsing hex text given on the command line ("10 0c 00 04", "100c0004", "10:0c").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness::cli {

struct hex_error {
    std::size_t position = 0;  // character position in the text
    std::string message;
};

/// Hex digits in pairs; spaces, tabs, newlines, ':' and '-' between bytes are ignored, as is
/// an optional "0x" before a byte. Either the bytes or an error naming the position.
std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text, hex_error& error);

}  // namespace harness::cli
