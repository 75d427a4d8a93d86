// UTF-8 rules of MQTT strings ([MQTT-1.5.4-1..3], 3.1.1 [MQTT-1.5.3-1..3]).
#pragma once

#include <cstddef>
#include <string_view>

#include "harness/codec/error.hpp"

namespace harness::codec {

struct utf8_check {
    codec_errc error{};      // value 0 when the string is valid
    std::size_t offset = 0;  // offset of the offending byte within the string
    explicit operator bool() const noexcept { return error == codec_errc{}; }
};

/// Checks well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF)
/// without U+0000.
utf8_check check_mqtt_utf8(std::string_view text) noexcept;

}  // namespace harness::codec
