// Topic names and topic filters: validation and matching (MQTT 4.7), shared subscriptions.
#pragma once

#include <optional>
#include <string_view>

namespace harness::codec {

enum class topic_error {
    none = 0,
    empty,               // topics are at least one character long
    too_long,            // more than 65535 bytes
    wildcard_in_name,    // '+' or '#' in a topic name
    misplaced_wildcard,  // '#' not last or not alone in its level; '+' not alone in its level
    null_character,
    invalid_share,  // $share/{group}/{filter} with an empty or wildcard group, or no filter
};

std::string_view to_string(topic_error error) noexcept;

/// A topic name as PUBLISH carries it.
topic_error validate_topic_name(std::string_view name) noexcept;
/// A topic filter as SUBSCRIBE carries it. With `shared_subscriptions` (MQTT 5.0), a filter
/// starting with "$share/" must be $share/{group}/{filter}; before 5.0 it is an ordinary filter.
topic_error validate_topic_filter(std::string_view filter,
                                  bool shared_subscriptions = true) noexcept;

struct shared_subscription {
    std::string_view group;
    std::string_view filter;
};

/// Splits "$share/{group}/{filter}"; nullopt when `filter` is not a shared subscription.
/// Does not validate: call validate_topic_filter first.
std::optional<shared_subscription> parse_shared_subscription(std::string_view filter) noexcept;

/// True when the topic name matches the (valid, non-shared) filter. Names starting with '$'
/// are not matched by a filter starting with '#' or '+' ([MQTT-4.7.2-1]).
bool topic_matches(std::string_view filter, std::string_view name) noexcept;

}  // namespace harness::codec
