// Reading the parts that run alongside the steps: stand-ins (a trigger match and the replies,
// whose templates may use trigger values) and background publishers.
#include "parse.hpp"

namespace harness::scenario::detail {

stand_in_spec parse_stand_in(reader& r, const YAML::Node& node) {
    stand_in_spec stand_in;
    stand_in.where = r.where(node);
    if (!r.expect_map(node, "a stand-in"))
        return stand_in;
    r.check_keys(node, {"name", "client", "on", "qos", "publish", "delay", "count"}, "stand-in");
    if (r.require(node, "name", "stand-in"))
        stand_in.name = r.string(*get(node, "name"), "a stand-in name").value_or("");
    if (const auto value = get(node, "client")) {
        stand_in.client = r.string(*value, "a client name").value_or("");
        if (!stand_in.client.empty())
            r.check_client(*value, stand_in.client);
    }
    if (r.require(node, "on", "stand-in")) {
        const YAML::Node on = *get(node, "on");
        if (r.expect_map(on, "a match")) {
            r.check_keys(on, match_keys, "stand-in `on`");
            stand_in.trigger = parse_match_fields(r, on, "stand-in `on`");
        }
    }
    if (const auto value = get(node, "qos"))
        stand_in.subscribe_qos = r.qos(*value).value_or(1);
    if (r.require(node, "publish", "stand-in")) {
        const YAML::Node publish = *get(node, "publish");
        if (publish.IsSequence()) {
            for (const auto& item : publish)
                stand_in.replies.push_back(parse_message(r, item, "stand-in reply", true));
            if (publish.size() == 0)
                r.error(publish, "expected at least one reply in `publish`");
        } else if (publish.IsMap()) {
            stand_in.replies.push_back(parse_message(r, publish, "stand-in reply", true));
        } else {
            r.error(publish, "expected a reply (a map with `topic`) or a list of replies, got " +
                                 describe(publish));
        }
    }
    if (const auto value = get(node, "delay"))
        stand_in.delay = r.duration(*value).value_or(milliseconds{0});
    if (const auto value = get(node, "count"))
        stand_in.count = static_cast<std::uint32_t>(r.integer(*value, 0, 0xFFFFFFFF).value_or(0));
    return stand_in;
}

background_spec parse_background(reader& r, const YAML::Node& node, std::size_t index) {
    background_spec background;
    background.where = r.where(node);
    background.name = "background-" + std::to_string(index);
    if (!r.expect_map(node, "a background publisher"))
        return background;
    std::vector<std::string_view> keys = {"name", "client", "rate", "count"};
    keys.insert(keys.end(), message_keys.begin(), message_keys.end());
    r.check_keys(node, keys, "background publisher");
    if (const auto value = get(node, "name"))
        background.name = r.string(*value, "a name").value_or(background.name);
    if (r.require(node, "client", "background publisher")) {
        const YAML::Node client = *get(node, "client");
        background.client = r.string(client, "a client name").value_or("");
        if (!background.client.empty())
            r.check_client(client, background.client);
    }
    background.message = parse_message_fields(r, node, "background publisher", false, 0);
    if (const auto value = get(node, "rate"))
        background.rate = r.number(*value, 0).value_or(background.rate);
    if (const auto value = get(node, "count"))
        background.count = static_cast<std::uint32_t>(r.integer(*value, 0, 0xFFFFFFFF).value_or(0));
    return background;
}

}  // namespace harness::scenario::detail
