// Matching a received message against what a scenario expects: topic filter, payload (exact,
// regex, JSON subset, JSON path, hex), QoS, retain and 5.0 properties. Each failed check says in
// words what differed, for the expected-versus-seen report.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "harness/codec/packets.hpp"
#include "harness/scenario/model.hpp"
#include "harness/scenario/template.hpp"

namespace harness::scenario {

struct match_outcome {
    bool topic_matched = false;  // the topic filter matched (a "near miss" when nothing else did)
    bool matched = false;
    std::string
        mismatch;  // when topic_matched && !matched: what differed, e.g. "payload "x" is not "y""
};

/// Matches `message` (with its topic as the scenario sees it, i.e. without the run's topic
/// prefix) against `expected`; templates in the expectation are expanded with `resolve`.
///
/// - topic: the expanded filter is matched with codec::topic_matches; a "$share/{group}/"
///   prefix is ignored, so an expectation may repeat the filter it subscribed with.
/// - payload exact: the expanded text, byte for byte.
/// - payload regex: std::regex (ECMAScript), *searched* in the payload (regex_search): use
///   ^…$ to require the whole payload. The pattern is not a template.
/// - payload json_subset: the payload must parse as JSON and contain the expected value
///   (json_contains); string values of the expectation are templates.
/// - payload json_path: the path must exist; with a value, the value there must equal it
///   (json_equal; strings in it are templates).
/// - payload hex: hex digits, whitespace ignored, either case; the payload's bytes must equal them.
/// - qos, retain: as received.
/// - properties: each one set must be present and equal (content type, response topic and
///   correlation data after template expansion; correlation data as bytes). payload_format
///   utf8 means the indicator is 1, bytes means it is 0 or absent. message_expiry: brokers
///   forward the remaining lifetime, so the received value may be up to 2 seconds below the
///   expected one. User properties: each expected pair present (others may be too).
/// Every failed check is listed in `mismatch`, joined by "; ". When the topic does not match,
/// `mismatch` says so too (a template error in the filter is reported there as well).
match_outcome match_message(const message_match& expected, const codec::publish& message,
                            const template_resolver& resolve);

/// Evaluates a JSON path on `doc`; nullptr when absent or when the path is not valid. A path
/// is "$" followed by any of ".name", "['name']" (or "[\"name\"]") and "[index]"; the leading
/// "$" may be left out ("a.b[0]", ".a", "[0]").
const boost::json::value* find_json_path(const boost::json::value& doc, std::string_view path);
/// True when `path` is a JSON path find_json_path understands (for load-time checks).
bool is_valid_json_path(std::string_view path);
/// True when every member of `subset` is in `value` with an equal value (objects recursively;
/// arrays must have equal length, element by element subset; scalars as json_equal).
bool json_contains(const boost::json::value& value, const boost::json::value& subset);
/// JSON equality where numbers compare by value (3 == 3.0 == 3u); objects ignore member order.
bool json_equal(const boost::json::value& a, const boost::json::value& b);

/// The payload shown to people: the text itself (no quotes) when it is printable UTF-8 (tab,
/// CR and LF allowed), cut after `limit` bytes with "…"; else "hex:" and lower-case hex
/// digits, cut after `limit` digits with "…".
std::string describe_payload(std::string_view bytes, std::size_t limit = 200);

}  // namespace harness::scenario
