// Text helpers the reporters share: locale-independent numbers and times, UTF-8 and XML 1.0
// clean-up of untrusted text (payloads, component output), and the words for a seen message.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "harness/runner/result.hpp"

namespace harness::reports {

/// `value` with exactly `decimals` digits after a '.', whatever the locale, never in scientific
/// notation; NaN and negative values (not meaningful as durations) give 0.
std::string format_fixed(double value, int decimals);

/// Seconds as JUnit wants them: "0.123".
inline std::string format_seconds(double seconds) {
    return format_fixed(seconds, 3);
}

/// UTC time as ISO 8601: "2024-05-01T12:34:56" (as Ant writes it: no zone, no fraction), or with
/// `millis` "2024-05-01T12:34:56.789Z".
std::string format_iso8601(std::chrono::system_clock::time_point t, bool millis);

/// Reads back what format_iso8601 wrote (either form, fraction of up to 9 digits, optional 'Z');
/// nullopt when `text` is not such a time.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

/// `text` with every invalid UTF-8 sequence (bad lead or continuation bytes, overlong forms,
/// surrogates, code points past U+10FFFF, truncated sequences) replaced by `replacement`.
std::string valid_utf8(std::string_view text, std::string_view replacement = "\xEF\xBF\xBD");

/// `text` reduced to characters legal in XML 1.0: invalid UTF-8, control characters other than
/// tab, newline and carriage return, and U+FFFE / U+FFFF are removed. Escaping of '<', '&' and
/// quotes is left to the XML writer.
std::string xml_safe(std::string_view text);

/// `text` on one line: runs of CR/LF become a single space, surrounding blanks are trimmed.
std::string one_line(std::string_view text);

/// `text` safe to show on a terminal: control characters other than tab (ESC included, so output
/// cannot move the cursor or change colours) become "\xNN".
std::string printable(std::string_view text);

/// Every line of `text` prefixed with `indent`, each ending in '\n'.
std::string indented(std::string_view text, std::string_view indent);

/// The last `n` lines of `text` (all of it when it has fewer), without a final newline.
std::string_view last_lines(std::string_view text, std::size_t n);

/// A seen message in words: `+1.234 s  t/1  "hi"  qos 1  retain  (wrong payload)`.
std::string describe(const runner::seen_message& m);

/// The JUnit classname of a scenario file: the path without extension, '/' → '.', without a
/// leading "./" or '/': "scenarios/examples/tutorial.yaml" → "scenarios.examples.tutorial".
std::string classname_of(std::string_view file);

/// The scenario's display name: its name, plus " (attempt N)" when attempt > 1.
std::string display_name(const runner::scenario_result& s);

}  // namespace harness::reports
