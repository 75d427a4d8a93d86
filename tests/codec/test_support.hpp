// Helpers shared by the codec tests: hex vectors in, packets out.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/codec/codec.hpp"

namespace harness::codec::test {

/// Hex with optional spaces to bytes; '...' strings may be written as 'text' in quotes:
/// bytes("00 03 'a/b'") gives 00 03 61 2f 62.
inline std::vector<std::uint8_t> bytes(std::string_view text) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (c == ' ') {
            ++i;
        } else if (c == '\'') {
            const std::size_t end = text.find('\'', i + 1);
            for (std::size_t k = i + 1; k < end; ++k)
                out.push_back(static_cast<std::uint8_t>(text[k]));
            i = end + 1;
        } else {
            out.push_back(
                static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
            i += 2;
        }
    }
    return out;
}

inline std::string hex(const std::vector<std::uint8_t>& data) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (i != 0)
            out += ' ';
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0x0F];
    }
    return out;
}

/// Decodes one whole packet given as hex; fails the test when it does not decode.
template <class Packet>
Packet decode_as(std::string_view text, protocol_version v) {
    const auto input = bytes(text);
    auto result = decode(input, v);
    if (!result) {
        ADD_FAILURE() << "decode failed: " << result.error().message;
        return Packet{};
    }
    if (!std::holds_alternative<Packet>(*result)) {
        ADD_FAILURE() << "decoded a " << to_string(type_of(*result));
        return Packet{};
    }
    return std::get<Packet>(*result);
}

/// The decode error of a packet that must not decode.
inline decode_error decode_error_of(std::string_view text, protocol_version v) {
    const auto input = bytes(text);
    auto result = decode(input, v);
    if (result) {
        ADD_FAILURE() << "decoded a " << to_string(type_of(*result)) << " from " << text;
        return {};
    }
    return result.error();
}

/// Checks that encoding gives exactly the vector's bytes, and decoding them gives the packet.
inline void expect_wire_form(const packet& p, protocol_version v, std::string_view text) {
    const auto expected_bytes = bytes(text);
    EXPECT_EQ(hex(encode(p, v)), hex(expected_bytes));
    auto decoded = decode(expected_bytes, v);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_TRUE(*decoded == p) << "decoded packet differs from the original";
}

}  // namespace harness::codec::test
