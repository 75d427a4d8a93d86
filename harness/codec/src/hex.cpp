// Hex text to bytes and back: see hex.hpp.
#include "harness/codec/hex.hpp"

namespace harness::codec {
namespace {

int digit_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool is_separator(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':' || c == '-';
}

}  // namespace

std::optional<std::vector<std::uint8_t>> parse_hex(std::string_view text, hex_error& error) {
    std::vector<std::uint8_t> bytes;
    bytes.reserve(text.size() / 2);
    std::size_t i = 0;
    while (i < text.size()) {
        if (is_separator(text[i])) {
            ++i;
            continue;
        }
        if (text[i] == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
            i += 2;
        }
        const int high = i < text.size() ? digit_value(text[i]) : -1;
        if (high < 0) {
            error = {i, i < text.size() ? std::string("'") + text[i] + "' is not a hex digit"
                                        : "text ends after \"0x\""};
            return std::nullopt;
        }
        const int low = i + 1 < text.size() ? digit_value(text[i + 1]) : -1;
        if (low < 0) {
            error = {i + 1, i + 1 < text.size()
                                ? std::string("'") + text[i + 1] + "' is not a hex digit"
                                : "odd number of hex digits"};
            return std::nullopt;
        }
        bytes.push_back(static_cast<std::uint8_t>(high << 4 | low));
        i += 2;
    }
    return bytes;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0x0f];
    }
    return out;
}

}  // namespace harness::codec
