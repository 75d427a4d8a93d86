// Words of mosquitto-style configuration lines (mosquitto.conf, ACL files): blanks are spaces
// and tabs, a line's trailing CR is dropped. Shared by the ACL and configuration parsers.
#pragma once

#include <string_view>

namespace harness::broker::detail {

inline bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

/// `text` without leading blanks and without trailing blanks or CR.
inline std::string_view trim(std::string_view text) {
    while (!text.empty() && is_blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && (is_blank(text.back()) || text.back() == '\r'))
        text.remove_suffix(1);
    return text;
}

/// Splits off the first blank-separated word of `text` (already trimmed); `text` keeps the rest,
/// trimmed.
inline std::string_view next_word(std::string_view& text) {
    std::size_t end = 0;
    while (end < text.size() && !is_blank(text[end]))
        ++end;
    const auto word = text.substr(0, end);
    text = trim(text.substr(end));
    return word;
}

}  // namespace harness::broker::detail
