// Reading the steps that send and expect messages: subscribe (one filter or several, with
// their options and expected SUBACK reasons), unsubscribe, publish, expect (a single match or a
// list of them, with counts) and expect_none.
#include "step_reader.hpp"

namespace harness::scenario::detail {

void step_reader::subscription_options(const YAML::Node& map, subscription_spec& out) {
    if (const auto value = get(map, "qos"))
        out.qos = r.qos(*value).value_or(out.qos);
    if (const auto value = get(map, "no_local"))
        out.no_local = r.boolean(*value).value_or(false);
    if (const auto value = get(map, "retain_as_published"))
        out.retain_as_published = r.boolean(*value).value_or(false);
    if (const auto value = get(map, "retain_handling"))
        out.retain_handling = static_cast<int>(r.integer(*value, 0, 2).value_or(0));
    if (const auto value = get(map, "subscription_id")) {
        if (const auto id = r.integer(*value, 1, 268'435'455))
            out.subscription_identifier = static_cast<std::uint32_t>(*id);
    }
}

subscribe_step step_reader::subscribe(const YAML::Node& node) {
    subscribe_step step;
    if (!r.expect_map(node, "a subscription"))
        return step;
    r.check_keys(node,
                 {"client", "topic", "topics", "qos", "no_local", "retain_as_published",
                  "retain_handling", "subscription_id", "expect_reason"},
                 "subscribe");
    step.client = client(node, "subscribe");
    subscription_spec common;
    common.qos = defaults.qos;
    subscription_options(node, common);
    const std::optional<std::string> key = one_of(r, node, {"topic", "topics"}, "subscribe");
    if (key && *key == "topic") {
        const YAML::Node topic = *get(node, "topic");
        common.filter = r.string(topic, "a topic filter").value_or("");
        r.check_topic_filter(topic, common.filter);
        step.subscriptions.push_back(common);
    } else if (key) {
        const YAML::Node topics = *get(node, "topics");
        if (r.expect_list(topics, "topic filters")) {
            for (const auto& item : topics) {
                subscription_spec subscription = common;
                const YAML::Node* topic = &item;
                std::optional<YAML::Node> topic_value;
                if (item.IsMap()) {
                    r.check_keys(item,
                                 {"topic", "qos", "no_local", "retain_as_published",
                                  "retain_handling", "subscription_id"},
                                 "subscription");
                    if (!r.require(item, "topic", "subscription"))
                        continue;
                    topic_value = get(item, "topic");
                    topic = &*topic_value;
                    subscription_options(item, subscription);
                }
                subscription.filter = r.string(*topic, "a topic filter").value_or("");
                r.check_topic_filter(*topic, subscription.filter);
                step.subscriptions.push_back(subscription);
            }
        }
    }
    if (const auto value = get(node, "expect_reason")) {
        if (value->IsSequence()) {
            std::vector<int> reasons;
            for (const auto& item : *value)
                reasons.push_back(r.reason(item).value_or(0));
            if (reasons.size() != step.subscriptions.size()) {
                r.error(*value, "expected one reason per topic filter (" +
                                    std::to_string(step.subscriptions.size()) + "), got " +
                                    std::to_string(reasons.size()));
            }
            step.expect_reasons = std::move(reasons);
        } else if (const auto reason = r.reason(*value)) {
            step.expect_reasons = std::vector<int>(step.subscriptions.size(), *reason);
        }
    }
    return step;
}

unsubscribe_step step_reader::unsubscribe(const YAML::Node& node) {
    unsubscribe_step step;
    if (!r.expect_map(node, "an unsubscribe with `client` and `topic` or `topics`"))
        return step;
    r.check_keys(node, {"client", "topic", "topics"}, "unsubscribe");
    step.client = client(node, "unsubscribe");
    const std::optional<std::string> key = one_of(r, node, {"topic", "topics"}, "unsubscribe");
    if (!key)
        return step;
    const YAML::Node value = *get(node, *key);
    const auto add = [&](const YAML::Node& topic) {
        if (const std::optional<std::string> filter = r.string(topic, "a topic filter")) {
            r.check_topic_filter(topic, *filter);
            step.filters.push_back(*filter);
        }
    };
    if (*key == "topic")
        add(value);
    else if (r.expect_list(value, "topic filters"))
        for (const auto& item : value)
            add(item);
    return step;
}

publish_step step_reader::publish(const YAML::Node& node) {
    publish_step step;
    if (!r.expect_map(node, "a message to publish"))
        return step;
    std::vector<std::string_view> keys = {"client", "repeat", "rate", "expect_reason"};
    keys.insert(keys.end(), message_keys.begin(), message_keys.end());
    r.check_keys(node, keys, "publish");
    step.client = client(node, "publish");
    step.message = parse_message_fields(r, node, "publish", false, defaults.qos);
    if (const auto value = get(node, "repeat"))
        step.repeat = static_cast<std::uint32_t>(r.integer(*value, 1, 0xFFFFFFFF).value_or(1));
    if (const auto value = get(node, "rate"))
        step.rate = r.number(*value, 0);
    if (const auto value = get(node, "expect_reason"))
        step.expect_reason = r.reason(*value);
    return step;
}

std::uint32_t step_reader::count(const YAML::Node& map) {
    if (const auto value = get(map, "count"))
        return static_cast<std::uint32_t>(r.integer(*value, 1, 0xFFFFFFFF).value_or(1));
    return 1;
}

expect_step step_reader::expect(const YAML::Node& node, std::optional<YAML::Node>& after) {
    expect_step step;
    if (!r.expect_map(node, "an expectation"))
        return step;
    std::vector<std::string_view> keys = {"client", "count",   "messages", "ordered",
                                          "within", "latency", "after"};
    keys.insert(keys.end(), match_keys.begin(), match_keys.end());
    r.check_keys(node, keys, "expect");
    step.client = client(node, "expect");
    if (const auto messages = get(node, "messages")) {
        std::vector<std::string_view> single = match_keys;
        single.push_back("count");
        for (const std::string_view key : single) {
            if (const auto extra = get(node, key)) {
                r.error(*extra, "`" + std::string(key) +
                                    "` belongs inside the items of `messages` here; an "
                                    "expect has either match keys or `messages`");
            }
        }
        if (r.expect_list(*messages, "messages")) {
            for (const auto& item : *messages) {
                if (!r.expect_map(item, "a match"))
                    continue;
                std::vector<std::string_view> item_keys = match_keys;
                item_keys.push_back("count");
                r.check_keys(item, item_keys, "expected message");
                step.messages.push_back(parse_match_fields(r, item, "expected message"));
                step.counts.push_back(count(item));
            }
        }
    } else {
        step.messages.push_back(parse_match_fields(r, node, "expect"));
        step.counts.push_back(count(node));
    }
    if (const auto value = get(node, "ordered"))
        step.ordered = r.boolean(*value).value_or(true);
    if (const auto value = get(node, "within"))
        step.within = r.duration(*value);
    if (const auto value = get(node, "latency"))
        step.latency = r.duration(*value);
    if (const auto value = get(node, "after")) {
        step.after = r.string(*value, "a step id").value_or("");
        after = value;
    }
    return step;
}

expect_none_step step_reader::expect_none(const YAML::Node& node) {
    expect_none_step step;
    if (!r.expect_map(node, "a match"))
        return step;
    std::vector<std::string_view> keys = {"client", "for"};
    keys.insert(keys.end(), match_keys.begin(), match_keys.end());
    r.check_keys(node, keys, "expect_none");
    step.client = client(node, "expect_none");
    step.message = parse_match_fields(r, node, "expect_none");
    if (const auto value = get(node, "for"))
        step.duration = r.duration(*value).value_or(step.duration);
    return step;
}

}  // namespace harness::scenario::detail
