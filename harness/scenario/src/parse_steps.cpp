// Reading the steps of a scenario: one step key per item (connect, subscribe, unsubscribe,
// publish, expect, expect_none, wait_log, disconnect, sleep, fault) plus `id` and
// `description`, with the checks that span steps (unique ids, `after` names an earlier step).
#include <algorithm>
#include <cctype>

#include "harness/codec/types.hpp"
#include "step_reader.hpp"

namespace harness::scenario::detail {
namespace {

const std::vector<std::string_view> step_kinds = {
    "connect",     "subscribe",     "unsubscribe",      "publish",      "expect",
    "expect_none", "wait_log",      "disconnect",       "sleep",        "fault",
    "send",        "expect_packet", "expect_no_packet", "expect_closed"};

/// Steps only raw clients take, and steps only session clients take.
bool raw_only(std::string_view kind) {
    return kind == "send" || kind == "expect_packet" || kind == "expect_no_packet" ||
           kind == "expect_closed";
}
bool session_only(std::string_view kind) {
    return kind == "subscribe" || kind == "unsubscribe" || kind == "publish" || kind == "expect" ||
           kind == "expect_none";
}

/// The client a step names, when it names one.
std::string client_of(const step_body& body) {
    return std::visit(
        [](const auto& s) -> std::string {
            if constexpr (requires { s.client; })
                return s.client;
            else
                return {};
        },
        body);
}

/// An item of `choices` matching the node's text, or an error naming them all.
std::optional<std::size_t> choice(reader& r, const YAML::Node& node,
                                  const std::vector<std::string_view>& choices,
                                  std::string_view what) {
    if (node.IsScalar()) {
        for (std::size_t i = 0; i < choices.size(); ++i) {
            if (choices[i] == node.Scalar())
                return i;
        }
    }
    std::string message = "expected " + std::string(what) + " (";
    for (std::size_t i = 0; i < choices.size(); ++i)
        message += (i == 0 ? "" : ", ") + std::string(choices[i]);
    message += "), got " + describe(node);
    if (node.IsScalar())
        message += did_you_mean(node.Scalar(), choices);
    r.error(node, std::move(message));
    return std::nullopt;
}

}  // namespace

std::string step_reader::client(const YAML::Node& map, std::string_view what) {
    if (!r.require(map, "client", what))
        return {};
    const YAML::Node node = *get(map, "client");
    const std::optional<std::string> name = r.string(node, "a client name");
    if (!name)
        return {};
    r.check_client(node, *name);
    return *name;
}

bool step_reader::client_or_map(const YAML::Node& node, std::string& client) {
    if (node.IsScalar()) {
        client = client_scalar(node);
        return false;
    }
    if (!node.IsMap()) {
        r.error(node, "expected a client name or a map with `client`, got " + describe(node));
        return false;
    }
    return true;
}

std::string step_reader::client_scalar(const YAML::Node& node) {
    std::string name = node.Scalar();
    r.check_client(node, name);
    return name;
}

connect_step step_reader::connect(const YAML::Node& node) {
    connect_step step;
    if (!client_or_map(node, step.client))
        return step;
    r.check_keys(node, {"client", "clean_start", "expect_reason"}, "connect");
    step.client = client(node, "connect");
    if (const auto value = get(node, "clean_start"))
        step.clean_start = r.boolean(*value);
    if (const auto value = get(node, "expect_reason"))
        step.expect_reason = r.reason(*value);
    return step;
}

wait_log_step step_reader::wait_log(const YAML::Node& node) {
    wait_log_step step;
    if (!r.expect_map(node, "a wait_log with `component` and `pattern`"))
        return step;
    r.check_keys(node, {"component", "pattern", "timeout"}, "wait_log");
    if (r.require(node, "component", "wait_log")) {
        const YAML::Node component = *get(node, "component");
        step.component = r.string(component, "a component name").value_or("");
        if (!step.component.empty())
            r.check_component(component, step.component);
    }
    if (r.require(node, "pattern", "wait_log"))
        step.pattern = r.regex(*get(node, "pattern")).value_or("");
    if (const auto value = get(node, "timeout"))
        step.timeout = r.duration(*value);
    return step;
}

disconnect_step step_reader::disconnect(const YAML::Node& node) {
    disconnect_step step;
    if (!client_or_map(node, step.client))
        return step;
    r.check_keys(node, {"client", "abrupt", "reason"}, "disconnect");
    step.client = client(node, "disconnect");
    if (const auto value = get(node, "abrupt"))
        step.abrupt = r.boolean(*value).value_or(false);
    if (const auto value = get(node, "reason"))
        step.reason = r.reason(*value).value_or(0);
    return step;
}

sleep_step step_reader::sleep(const YAML::Node& node) {
    return {r.duration(node).value_or(milliseconds{0})};
}

fault_step step_reader::fault(const YAML::Node& node) {
    fault_step step;
    if (!r.expect_map(node, "a fault rule"))
        return step;
    r.check_keys(node,
                 {"action", "direction", "packet", "client", "topic", "delay", "count", "reason"},
                 "fault");
    if (r.require(node, "action", "fault")) {
        const auto index =
            choice(r, *get(node, "action"),
                   {"drop", "delay", "duplicate", "disconnect_client", "clear"}, "a fault action");
        if (index)
            step.what = static_cast<fault_step::action>(*index);
    }
    if (const auto value = get(node, "direction"))
        step.inbound = choice(r, *value, {"in", "out"}, "a direction").value_or(0) == 0;
    if (const auto value = get(node, "packet")) {
        std::vector<std::string> names;
        for (int type = 1; type <= 15; ++type) {
            std::string name(codec::to_string(static_cast<codec::packet_type>(type)));
            std::transform(name.begin(), name.end(), name.begin(),
                           [](char c) { return static_cast<char>(std::tolower(c)); });
            names.push_back(std::move(name));
        }
        const auto index = choice(r, *value, {names.begin(), names.end()}, "a packet type name");
        if (index)
            step.packet_type = static_cast<int>(*index) + 1;
    }
    if (const auto value = get(node, "client")) {
        step.client = r.string(*value, "a client name").value_or("");
        if (!step.client.empty())
            r.check_client(*value, step.client);
    }
    if (const auto value = get(node, "topic")) {
        step.topic_filter = r.string(*value, "a topic filter").value_or("");
        r.check_topic_filter(*value, step.topic_filter);
    }
    if (const auto value = get(node, "delay"))
        step.delay = r.duration(*value).value_or(milliseconds{0});
    if (const auto value = get(node, "count"))
        step.count = static_cast<std::uint32_t>(r.integer(*value, 0, 0xFFFFFFFF).value_or(1));
    if (const auto value = get(node, "reason"))
        step.reason = r.reason(*value).value_or(0x98);
    return step;
}

std::vector<step> parse_steps(reader& r, const YAML::Node& list, const defaults_spec& defaults) {
    std::vector<step> steps;
    if (!r.expect_list(list, "steps"))
        return steps;
    step_reader read{r, defaults};
    std::vector<std::string_view> step_keys = step_kinds;
    step_keys.push_back("id");
    step_keys.push_back("description");
    struct after_reference {
        YAML::Node node;
        std::string id;
        std::size_t index;
    };
    std::vector<after_reference> afters;
    for (const auto& node : list) {
        if (!r.expect_map(node, "a step"))
            continue;
        r.check_keys(node, step_keys, "step");
        std::vector<std::string_view> kinds;
        for (const std::string_view kind : step_kinds) {
            if (get(node, kind))
                kinds.push_back(kind);
        }
        if (kinds.size() > 1) {
            r.error(node, "a step has one step key, got `" + std::string(kinds[0]) + "` and `" +
                              std::string(kinds[1]) + "`");
            continue;
        }
        if (kinds.empty()) {
            bool unknown = false;
            for (const auto& entry : node) {
                unknown = unknown || (entry.first.IsScalar() &&
                                      std::find(step_keys.begin(), step_keys.end(),
                                                entry.first.Scalar()) == step_keys.end());
            }
            if (!unknown) {
                r.error(node,
                        "a step needs one of connect, subscribe, unsubscribe, publish, "
                        "expect, expect_none, wait_log, disconnect, sleep, fault, send, "
                        "expect_packet, expect_no_packet, expect_closed");
            }
            continue;
        }
        step item;
        item.where = r.where(node);
        if (const auto id = get(node, "id")) {
            item.id = r.string(*id, "a step id").value_or("");
            for (const step& earlier : steps) {
                if (!item.id.empty() && earlier.id == item.id) {
                    r.error(*id, "duplicate step id `" + item.id + "` (first at line " +
                                     std::to_string(earlier.where.line) + ")");
                }
            }
        }
        if (const auto description = get(node, "description"))
            r.string(*description, "a description");
        const YAML::Node body = *get(node, kinds[0]);
        const std::string_view kind = kinds[0];
        if (kind == "connect") {
            item.body = read.connect(body);
        } else if (kind == "subscribe") {
            item.body = read.subscribe(body);
        } else if (kind == "unsubscribe") {
            item.body = read.unsubscribe(body);
        } else if (kind == "publish") {
            item.body = read.publish(body);
        } else if (kind == "expect") {
            std::optional<YAML::Node> after;
            item.body = read.expect(body, after);
            if (after && !std::get<expect_step>(item.body).after.empty())
                afters.push_back({*after, std::get<expect_step>(item.body).after, steps.size()});
        } else if (kind == "expect_none") {
            item.body = read.expect_none(body);
        } else if (kind == "wait_log") {
            item.body = read.wait_log(body);
        } else if (kind == "disconnect") {
            item.body = read.disconnect(body);
        } else if (kind == "sleep") {
            item.body = read.sleep(body);
        } else if (kind == "fault") {
            item.body = read.fault(body);
        } else if (kind == "send") {
            item.body = read.send(body);
        } else if (kind == "expect_packet") {
            item.body = read.expect_packet(body);
        } else if (kind == "expect_no_packet") {
            item.body = read.expect_no_packet(body);
        } else {
            item.body = read.expect_closed(body);
        }
        const std::string name = client_of(item.body);
        const bool raw =
            std::find(r.raw_clients.begin(), r.raw_clients.end(), name) != r.raw_clients.end();
        if (!name.empty() && raw && session_only(kind))
            r.error(body, "`" + std::string(kind) + "` needs a client with a session; `" + name +
                              "` is raw (use send and expect_packet)");
        else if (!name.empty() && !raw && raw_only(kind) &&
                 std::find(r.clients.begin(), r.clients.end(), name) != r.clients.end())
            r.error(body, "`" + std::string(kind) + "` needs a raw client; `" + name +
                              "` has a session (give it `raw: true`)");
        steps.push_back(std::move(item));
    }
    for (const after_reference& after : afters) {
        const auto found = std::find_if(steps.begin(), steps.end(),
                                        [&](const step& s) { return s.id == after.id; });
        if (found == steps.end()) {
            std::vector<std::string_view> ids;
            for (const step& s : steps) {
                if (!s.id.empty())
                    ids.push_back(s.id);
            }
            r.error(after.node, "unknown step id `" + after.id + "`" + did_you_mean(after.id, ids) +
                                    "; `after` names the `id` of an earlier step");
        } else if (static_cast<std::size_t>(found - steps.begin()) >= after.index) {
            r.error(after.node, "step `" + after.id +
                                    "` does not come before this expect; `after` names an "
                                    "earlier step");
        }
    }
    return steps;
}

}  // namespace harness::scenario::detail
