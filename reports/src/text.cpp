// Text helpers of the reporters: numbers through std::to_chars (no locale), UTC times with
// gmtime_r / timegm, a strict UTF-8 decoder behind the XML and UTF-8 clean-ups.
#include "harness/reports/text.hpp"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <ctime>

namespace harness::reports {

namespace {

struct decoded {
    char32_t code_point = 0;
    std::size_t length = 1;  // bytes consumed, also when invalid
    bool valid = false;
};

/// Decodes the UTF-8 sequence at the start of `s` (not empty). An invalid sequence consumes its
/// lead byte and the continuation bytes that followed it.
decoded decode_one(std::string_view s) {
    const auto lead = static_cast<unsigned char>(s[0]);
    if (lead < 0x80)
        return {lead, 1, true};
    std::size_t length = 0;
    char32_t code_point = 0;
    char32_t smallest = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, code_point = lead & 0x1F, smallest = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, code_point = lead & 0x0F, smallest = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, code_point = lead & 0x07, smallest = 0x10000;
    } else {
        return {0, 1, false};
    }
    for (std::size_t i = 1; i < length; ++i) {
        if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
            return {0, i, false};
        code_point = (code_point << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
    }
    const bool surrogate = code_point >= 0xD800 && code_point <= 0xDFFF;
    if (code_point < smallest || code_point > 0x10FFFF || surrogate)
        return {0, length, false};
    return {code_point, length, true};
}

bool legal_in_xml(char32_t c) {
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/// Reads exactly `digits` decimal digits at `pos`, advancing it; -1 when they are not there.
int read_number(std::string_view text, std::size_t& pos, std::size_t digits) {
    if (pos + digits > text.size())
        return -1;
    int value = 0;
    const char* first = text.data() + pos;
    const auto [end, ec] = std::from_chars(first, first + digits, value);
    if (ec != std::errc{} || end != first + digits)
        return -1;
    pos += digits;
    return value;
}

bool expect_char(std::string_view text, std::size_t& pos, char c) {
    if (pos >= text.size() || text[pos] != c)
        return false;
    ++pos;
    return true;
}

}  // namespace

std::string format_fixed(double value, int decimals) {
    if (!(value >= 0))  // negative or NaN
        value = 0;
    if (value > 1e12)  // no duration is that long; keeps the text short
        value = 1e12;
    char buffer[64];
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    if (ec != std::errc{})
        return "0";
    return std::string(buffer, end);
}

std::string format_iso8601(std::chrono::system_clock::time_point t, bool millis) {
    using namespace std::chrono;
    const auto whole = floor<seconds>(t);
    const std::time_t tt = static_cast<std::time_t>(whole.time_since_epoch().count());
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    char buffer[64];
    int n = std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                          tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (millis && n > 0) {
        const auto ms = duration_cast<milliseconds>(t - whole).count();
        std::snprintf(buffer + n, sizeof buffer - static_cast<std::size_t>(n), ".%03dZ",
                      static_cast<int>(ms));
    }
    return buffer;
}

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text) {
    std::size_t pos = 0;
    std::tm tm{};
    const int year = read_number(text, pos, 4);
    if (year < 0 || !expect_char(text, pos, '-'))
        return std::nullopt;
    const int month = read_number(text, pos, 2);
    if (month < 1 || month > 12 || !expect_char(text, pos, '-'))
        return std::nullopt;
    const int day = read_number(text, pos, 2);
    if (day < 1 || day > 31 || !expect_char(text, pos, 'T'))
        return std::nullopt;
    const int hour = read_number(text, pos, 2);
    if (hour < 0 || hour > 23 || !expect_char(text, pos, ':'))
        return std::nullopt;
    const int minute = read_number(text, pos, 2);
    if (minute < 0 || minute > 59 || !expect_char(text, pos, ':'))
        return std::nullopt;
    const int second = read_number(text, pos, 2);
    if (second < 0 || second > 60)
        return std::nullopt;
    std::int64_t nanos = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int digits = 0;
        for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
            if (digits >= 9)
                return std::nullopt;
            nanos = nanos * 10 + (text[pos] - '0');
        }
        if (digits == 0)
            return std::nullopt;
        for (; digits < 9; ++digits)
            nanos *= 10;
    }
    if (pos < text.size() && text[pos] == 'Z')
        ++pos;
    if (pos != text.size())
        return std::nullopt;
    tm.tm_year = year - 1900, tm.tm_mon = month - 1, tm.tm_mday = day;
    tm.tm_hour = hour, tm.tm_min = minute, tm.tm_sec = second;
    const std::time_t tt = ::timegm(&tm);
    using namespace std::chrono;
    return system_clock::time_point{duration_cast<system_clock::duration>(seconds{tt}) +
                                    duration_cast<system_clock::duration>(nanoseconds{nanos})};
}

std::string valid_utf8(std::string_view text, std::string_view replacement) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const decoded d = decode_one(text);
        if (d.valid)
            out.append(text.substr(0, d.length));
        else
            out.append(replacement);
        text.remove_prefix(d.length);
    }
    return out;
}

std::string xml_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const decoded d = decode_one(text);
        if (d.valid && legal_in_xml(d.code_point))
            out.append(text.substr(0, d.length));
        text.remove_prefix(d.length);
    }
    return out;
}

std::string one_line(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\r' || c == '\n') {
            if (!out.empty() && out.back() != ' ')
                out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    const auto first = out.find_first_not_of(" \t");
    if (first == std::string::npos)
        return {};
    const auto last = out.find_last_not_of(" \t");
    return out.substr(first, last - first + 1);
}

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && c != '\t') || byte == 0x7F) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
            out.append(escaped);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string indented(std::string_view text, std::string_view indent) {
    std::string out;
    while (!text.empty()) {
        const auto end = text.find('\n');
        out += indent;
        out += text.substr(0, end);
        out += '\n';
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    return out;
}

std::string_view last_lines(std::string_view text, std::size_t n) {
    if (!text.empty() && text.back() == '\n')
        text.remove_suffix(1);
    if (n == 0)
        return {};
    std::size_t start = text.size();
    while (n-- > 0) {
        const auto newline = start == 0 ? std::string_view::npos : text.rfind('\n', start - 1);
        if (newline == std::string_view::npos)
            return text;
        start = newline;
    }
    return text.substr(start + 1);
}

std::string describe(const runner::seen_message& m) {
    std::string out = "+" + format_fixed(m.at, 3) + " s  " + m.topic + "  ";
    if (m.payload.starts_with("hex:"))
        out += m.payload;
    else
        out += "\"" + m.payload + "\"";
    out += "  qos " + std::to_string(m.qos);
    if (m.retain)
        out += "  retain";
    if (!m.note.empty())
        out += "  (" + m.note + ")";
    return out;
}

std::string classname_of(std::string_view file) {
    while (file.starts_with("./"))
        file.remove_prefix(2);
    while (file.starts_with('/'))
        file.remove_prefix(1);
    const auto slash = file.rfind('/');
    const auto base_start = slash == std::string_view::npos ? 0 : slash + 1;
    const auto dot = file.rfind('.');
    if (dot != std::string_view::npos && dot > base_start)
        file = file.substr(0, dot);
    std::string out(file);
    for (char& c : out)
        if (c == '/')
            c = '.';
    return out;
}

std::string display_name(const runner::scenario_result& s) {
    if (s.attempt > 1)
        return s.name + " (attempt " + std::to_string(s.attempt) + ")";
    return s.name;
}

}  // namespace harness::reports
