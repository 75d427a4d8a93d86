// Topic name and filter rules of MQTT section 4.7, and the matcher used by broker and runner.
#include "harness/codec/topic.hpp"

namespace harness::codec {
namespace {

constexpr std::string_view share_prefix = "$share/";

topic_error check_common(std::string_view topic) noexcept {
    if (topic.empty())
        return topic_error::empty;
    if (topic.size() > 0xFFFF)
        return topic_error::too_long;
    if (topic.find('\0') != std::string_view::npos)
        return topic_error::null_character;
    return topic_error::none;
}

topic_error check_filter_levels(std::string_view filter) noexcept {
    std::size_t start = 0;
    while (true) {
        const std::size_t end = filter.find('/', start);
        const std::string_view level = filter.substr(
            start, end == std::string_view::npos ? std::string_view::npos : end - start);
        const bool has_hash = level.find('#') != std::string_view::npos;
        const bool has_plus = level.find('+') != std::string_view::npos;
        if (has_hash && (level.size() != 1 || end != std::string_view::npos)) {
            return topic_error::misplaced_wildcard;
        }
        if (has_plus && level.size() != 1)
            return topic_error::misplaced_wildcard;
        if (end == std::string_view::npos)
            return topic_error::none;
        start = end + 1;
    }
}

}  // namespace

std::string_view to_string(topic_error error) noexcept {
    switch (error) {
        case topic_error::none:
            return "valid";
        case topic_error::empty:
            return "topic is empty";
        case topic_error::too_long:
            return "topic is longer than 65535 bytes";
        case topic_error::wildcard_in_name:
            return "topic name contains a wildcard";
        case topic_error::misplaced_wildcard:
            return "wildcard must occupy a whole level and '#' must be last";
        case topic_error::null_character:
            return "topic contains U+0000";
        case topic_error::invalid_share:
            return "shared subscription must be $share/{group}/{filter} with a group free of "
                   "wildcards";
    }
    return "unknown topic error";
}

topic_error validate_topic_name(std::string_view name) noexcept {
    if (name.empty())
        return topic_error::empty;
    if (name.size() > 0xFFFF)
        return topic_error::too_long;
    // One pass: PUBLISH decoding checks every topic, so no find() per character class.
    for (const char c : name) {
        if (c == '+' || c == '#')
            return topic_error::wildcard_in_name;
        if (c == '\0')
            return topic_error::null_character;
    }
    return topic_error::none;
}

topic_error validate_topic_filter(std::string_view filter, bool shared_subscriptions) noexcept {
    if (const auto e = check_common(filter); e != topic_error::none)
        return e;
    if (shared_subscriptions && filter.starts_with(share_prefix)) {
        const auto shared = parse_shared_subscription(filter);
        if (!shared || shared->group.empty() || shared->filter.empty() ||
            shared->group.find_first_of("+#") != std::string_view::npos) {
            return topic_error::invalid_share;
        }
        return check_filter_levels(shared->filter);
    }
    return check_filter_levels(filter);
}

std::optional<shared_subscription> parse_shared_subscription(std::string_view filter) noexcept {
    if (!filter.starts_with(share_prefix))
        return std::nullopt;
    const std::string_view rest = filter.substr(share_prefix.size());
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos)
        return shared_subscription{rest, {}};
    return shared_subscription{rest.substr(0, slash), rest.substr(slash + 1)};
}

bool topic_matches(std::string_view filter, std::string_view name) noexcept {
    if (!name.empty() && name.front() == '$' && !filter.empty() &&
        (filter.front() == '+' || filter.front() == '#')) {
        return false;  // [MQTT-4.7.2-1]
    }
    std::size_t f = 0;
    std::size_t n = 0;
    while (true) {
        const std::size_t f_end = filter.find('/', f);
        const std::string_view f_level =
            filter.substr(f, f_end == std::string_view::npos ? std::string_view::npos : f_end - f);
        if (f_level == "#")
            return true;  // matches the parent level and everything below
        const std::size_t n_end = name.find('/', n);
        const std::string_view n_level =
            name.substr(n, n_end == std::string_view::npos ? std::string_view::npos : n_end - n);
        if (f_level != "+" && f_level != n_level)
            return false;
        const bool f_last = f_end == std::string_view::npos;
        const bool n_last = n_end == std::string_view::npos;
        if (f_last || n_last) {
            if (f_last && n_last)
                return true;
            // "sport/#" also matches "sport": the filter may end in "/#" after the name ends.
            return n_last && filter.substr(f_end + 1) == "#";
        }
        f = f_end + 1;
        n = n_end + 1;
    }
}

}  // namespace harness::codec
