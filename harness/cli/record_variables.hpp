// `mqtt-harness record`: telling values that change between runs (timestamps, ids, counters)
// from the ones a replay can expect again, and writing both kinds the way a scenario takes them:
// expectations leave varying JSON members out of the subset (or match text with a regex),
// publishes put a {{now_iso}}, {{now}} or {{uuid}} template in their place. No I/O.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace harness::cli::record {

/// What a value looks like.
enum class value_kind { fixed, iso_timestamp, uuid, epoch_seconds, epoch_millis, counter };

/// "ISO timestamp", "UUID", ... for comments in the written scenario.
std::string_view describe(value_kind kind) noexcept;

/// The wall-clock window of a recording (milliseconds since the epoch), to recognise numbers that
/// are timestamps: within a day of it, in seconds or milliseconds.
struct time_window {
    std::int64_t first_ms = 0;
    std::int64_t last_ms = 0;
};

/// 2026-11-26T17:30:00Z (with optional fraction and offset; a space for the T) and UUIDs.
value_kind classify_text(std::string_view text) noexcept;
/// Epoch seconds or milliseconds within a day of `window`; fixed otherwise.
value_kind classify_number(double value, const time_window& window) noexcept;

/// JSON paths ("$.a.b", "$" for a payload that is a bare number) of integers that strictly
/// increased over at least three messages on one topic: counters. Keyed by topic.
using counter_paths = std::map<std::string, std::set<std::string>>;

/// Collects the integer leaves of one payload (objects only, arrays are not followed) for
/// find_counters: path -> value.
std::map<std::string, std::int64_t> integer_leaves(const boost::json::value& payload);

/// `series[topic]` holds each message's integer leaves in arrival order.
counter_paths find_counters(
    const std::map<std::string, std::vector<std::map<std::string, std::int64_t>>>& series);

/// What is known while generalising one payload.
struct variability {
    time_window window;
    const std::set<std::string>* counters = nullptr;  // the paths of this topic, may be null
};

/// The JSON subset to expect: varying members left out (`left_out` gets "$.at (ISO
/// timestamp)"), arrays holding a varying value left out whole; nullopt when the payload itself
/// varies (then no payload is matched). Strings are escaped as templates.
std::optional<boost::json::value> expected_json(const boost::json::value& payload,
                                                const variability& v,
                                                std::vector<std::string>& left_out);

/// The JSON to publish: ISO timestamps become {{now_iso}}, UUIDs {{uuid}} (`templated` gets
/// their paths); other strings are escaped as templates; numbers are kept (a template would
/// make them strings).
boost::json::value published_json(const boost::json::value& payload,
                                  std::vector<std::string>& templated);

/// An anchored ECMAScript regex for text with timestamps or UUIDs in it, nullopt when it has none
/// (then the text is expected exactly). `found` gets what was generalised.
std::optional<std::string> text_pattern(std::string_view text, const time_window& window,
                                        std::vector<std::string>& found);

/// Text to publish: ISO timestamps become {{now_iso}}, UUIDs {{uuid}}, epoch milliseconds
/// {{now}}; the rest escaped as a template.
std::string published_text(std::string_view text, const time_window& window,
                           std::vector<std::string>& templated);

/// `{{` doubled, so that the text is sent (or matched) as it is.
std::string escape_template(std::string_view text);

/// Topic levels that are UUIDs become `+` (to expect) ...
std::string expected_topic(std::string_view topic);
/// ... or {{uuid}} (to publish).
std::string published_topic(std::string_view topic);

}  // namespace harness::cli::record
