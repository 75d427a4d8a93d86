// Validation of MQTT UTF-8 strings: well-formed per RFC 3629 and free of U+0000.
#include "harness/codec/utf8.hpp"

#include <cstdint>

namespace harness::codec {

utf8_check check_mqtt_utf8(std::string_view text) noexcept {
    const auto* s = reinterpret_cast<const std::uint8_t*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const std::uint8_t b = s[i];
        if (b < 0x80) {
            if (b == 0)
                return {codec_errc::utf8_null_character, i};
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint8_t low = 0x80, high = 0xBF;  // bounds of the second byte
        if (b >= 0xC2 && b <= 0xDF) {
            length = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            length = 3;
            if (b == 0xE0)
                low = 0xA0;  // no overlongs
            if (b == 0xED)
                high = 0x9F;  // no surrogates U+D800..U+DFFF
        } else if (b >= 0xF0 && b <= 0xF4) {
            length = 4;
            if (b == 0xF0)
                low = 0x90;  // no overlongs
            if (b == 0xF4)
                high = 0x8F;  // nothing past U+10FFFF
        } else {
            return {codec_errc::invalid_utf8, i};
        }
        if (n - i < length)
            return {codec_errc::invalid_utf8, i};
        if (s[i + 1] < low || s[i + 1] > high)
            return {codec_errc::invalid_utf8, i};
        for (std::size_t k = 2; k < length; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return {codec_errc::invalid_utf8, i};
        }
        i += length;
    }
    return {};
}

}  // namespace harness::codec
