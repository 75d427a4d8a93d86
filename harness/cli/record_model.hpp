// `mqtt-harness record`, the recording model: observed messages in, a scenario document out
// (which messages the scenario publishes, which it expects, how they are matched and within
// what time). No sockets and no YAML here: record_command.cpp observes, record_yaml.cpp writes.
//
// Rules (docs/recording.md):
// - Triggers: with trigger filters, the messages on them; otherwise a message after a quiet gap
//   (no message for `gap`) starts a burst and is its trigger. The messages after a trigger, up
//   to the next one, are its reactions; reactions before the first trigger are not recorded.
// - Reactions are grouped by topic, in order of first appearance: one expect per topic keeps the
//   order of that topic's messages (the order MQTT guarantees); when every topic has one message
//   the episode is one unordered expect. Repeated equal matches become a count.
// - Within: twice the latest delay of the expect's messages after their trigger, plus a floor,
//   rounded up to 100 ms.
// - Retained messages present at subscribe time: publish them retained first (setup, the
//   default), expect them when the observer subscribes (expect), or leave them out (ignore).
#pragma once

#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "record_variables.hpp"

namespace harness::cli::record {

using milliseconds = std::chrono::milliseconds;

/// One message as the recorder received it.
struct observed_message {
    std::string topic;
    std::vector<std::uint8_t> payload;
    int qos = 0;
    bool retain = false;
    milliseconds at{0};  // after the subscription was acknowledged
    std::optional<std::string> content_type;
    std::optional<std::string> response_topic;
    std::optional<std::vector<std::uint8_t>> correlation_data;
    std::vector<std::pair<std::string, std::string>> user_properties;
};

struct recording {
    std::vector<observed_message> retained;  // present when the recorder subscribed
    std::vector<observed_message> live;      // in arrival order
    std::vector<std::string> filters;        // what the recorder subscribed to
    std::string broker;                      // the URL, for the description
    time_window window;                      // wall clock of the recording
};

enum class retained_mode { setup, expect, ignore };

struct record_settings {
    std::string name = "recorded scenario";
    std::vector<std::string> trigger_filters;  // empty: the quiet-gap heuristic
    milliseconds gap{1'000};
    int factor = 2;  // within = factor × delay + floor
    milliseconds floor{500};
    int qos = 2;  // of the observer's subscription
    retained_mode retained = retained_mode::setup;
};

// --- The document ---------------------------------------------------------------------------

struct payload_doc {
    enum class kind { none, text, json, hex, regex };
    kind form = kind::none;  // none: publish nothing / match any payload
    std::string text;        // text, hex digits, or the regex
    boost::json::value json;
    std::vector<std::string> notes;  // what was generalised, for a comment
};

struct properties_doc {
    std::optional<std::string> content_type;
    std::optional<std::string> response_topic;
    std::optional<std::string> correlation_data;  // text only
    std::vector<std::pair<std::string, std::string>> user_properties;
    bool empty() const noexcept {
        return !content_type && !response_topic && !correlation_data && user_properties.empty();
    }
};

struct publish_doc {
    std::string topic;  // a template
    payload_doc payload;
    int qos = 0;
    bool retain = false;
    properties_doc properties;
};

struct match_doc {
    std::string topic;  // a filter
    payload_doc payload;
    int qos = 0;
    bool retain = false;
    std::uint32_t count = 1;
    properties_doc properties;  // content type and user properties only
};

struct expect_doc {
    std::vector<match_doc> messages;
    bool ordered = true;
    milliseconds within{0};
};

struct episode_doc {
    publish_doc trigger;
    std::vector<expect_doc> expects;
};

struct scenario_doc {
    std::string name;
    std::string description;
    std::vector<publish_doc> setup;      // retained messages published first
    std::optional<expect_doc> retained;  // or expected on subscribing
    std::vector<std::string> observe;    // the observer's filters
    int qos = 2;
    bool observer_gets_retained = false;  // retain_handling 0 instead of 2
    std::vector<episode_doc> episodes;
};

/// For each live message: true when it is a trigger.
std::vector<bool> classify_triggers(const std::vector<observed_message>& live,
                                    const record_settings& settings);

/// within for the latest reaction `delay` after its trigger.
milliseconds within_bound(milliseconds delay, const record_settings& settings);

/// The whole scenario.
scenario_doc build_scenario(const recording& r, const record_settings& settings);

}  // namespace harness::cli::record
