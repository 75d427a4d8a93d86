// Reading the parts a scenario sets up before its steps: clients (protocol, session, will, TLS)
// and components (processes under test, their readiness and how they are stopped).
#include <array>
#include <csignal>

#include "parse.hpp"

namespace harness::scenario::detail {
namespace {

std::optional<will_spec> parse_will(reader& r, const YAML::Node& node) {
    if (!r.expect_map(node, "a will"))
        return std::nullopt;
    std::vector<std::string_view> keys = message_keys;
    keys.push_back("delay");
    r.check_keys(node, keys, "will");
    will_spec will;
    will.message = parse_message_fields(r, node, "will", false, 0);
    if (const auto value = get(node, "delay"))
        will.delay_interval = r.seconds(*value, 0xFFFFFFFFu).value_or(0);
    return will;
}

std::optional<tls_spec> parse_tls(reader& r, const YAML::Node& node) {
    if (!r.expect_map(node, "tls settings"))
        return std::nullopt;
    r.check_keys(node, {"ca_file", "cert_file", "key_file", "server_name", "insecure"}, "tls");
    tls_spec tls;
    const auto path = [&](std::string_view key, std::string& out) {
        if (const auto value = get(node, key)) {
            if (const std::optional<std::string> text = r.string(*value, "a file path"))
                out = r.resolve_path(*text);
        }
    };
    path("ca_file", tls.ca_file);
    path("cert_file", tls.cert_file);
    path("key_file", tls.key_file);
    if (const auto value = get(node, "server_name"))
        tls.server_name = r.string(*value, "a server name").value_or("");
    if (const auto value = get(node, "insecure"))
        tls.insecure = r.boolean(*value).value_or(false);
    return tls;
}

std::optional<readiness_spec> parse_ready(reader& r, const YAML::Node& node,
                                          const defaults_spec& defaults) {
    if (!r.expect_map(node, "a readiness check"))
        return std::nullopt;
    r.check_keys(node, {"log", "message", "port", "timeout"}, "ready");
    readiness_spec ready;
    ready.where = r.where(node);
    if (defaults.timeout)
        ready.timeout = *defaults.timeout;
    if (const auto value = get(node, "timeout"))
        ready.timeout = r.duration(*value).value_or(ready.timeout);
    const std::optional<std::string> key =
        one_of(r, node, {"log", "message", "port"}, "a readiness check");
    if (!key)
        return ready;
    const YAML::Node value = *get(node, *key);
    if (*key == "log") {
        ready.on = readiness_spec::kind::log_line;
        ready.pattern = r.regex(value).value_or("");
    } else if (*key == "message") {
        ready.on = readiness_spec::kind::message;
        ready.topic = r.string(value, "a topic filter").value_or("");
        r.check_topic_filter(value, ready.topic);
    } else {
        ready.on = readiness_spec::kind::port;
        ready.port = static_cast<std::uint16_t>(r.integer(value, 1, 65535).value_or(0));
    }
    return ready;
}

std::optional<int> parse_signal(reader& r, const YAML::Node& node) {
    static constexpr std::array<std::pair<std::string_view, int>, 7> signals = {{
        {"SIGTERM", SIGTERM},
        {"SIGINT", SIGINT},
        {"SIGKILL", SIGKILL},
        {"SIGHUP", SIGHUP},
        {"SIGQUIT", SIGQUIT},
        {"SIGUSR1", SIGUSR1},
        {"SIGUSR2", SIGUSR2},
    }};
    std::vector<std::string_view> names;
    for (const auto& [name, number] : signals) {
        if (node.IsScalar() && node.Scalar() == name)
            return number;
        names.push_back(name);
    }
    r.error(node,
            "expected a signal (SIGTERM, SIGINT, SIGKILL, SIGHUP, SIGQUIT, SIGUSR1 or "
            "SIGUSR2), got " +
                describe(node) +
                (node.IsScalar() ? did_you_mean(node.Scalar(), names) : std::string()));
    return std::nullopt;
}

}  // namespace

client_spec parse_client(reader& r, const YAML::Node& node, const defaults_spec& defaults) {
    client_spec client;
    client.where = r.where(node);
    client.version = defaults.version;
    if (!r.expect_map(node, "a client"))
        return client;
    r.check_keys(node,
                 {"name", "protocol", "client_id", "clean_start", "session_expiry", "username",
                  "password", "keep_alive", "connect", "will", "tls", "raw"},
                 "client");
    if (r.require(node, "name", "client"))
        client.name = r.string(*get(node, "name"), "a client name").value_or("");
    if (const auto value = get(node, "protocol"))
        client.version = r.protocol(*value).value_or(defaults.version);
    const auto text = [&](std::string_view key, std::optional<std::string>& out) {
        if (const auto value = get(node, key)) {
            out = r.string(*value, key);
            if (out)
                r.check_template(*value, *out, false);
        }
    };
    text("client_id", client.client_id);
    text("username", client.username);
    text("password", client.password);
    if (const auto value = get(node, "clean_start"))
        client.clean_start = r.boolean(*value).value_or(true);
    if (const auto value = get(node, "session_expiry"))
        client.session_expiry = r.seconds(*value, 0xFFFFFFFFu);
    if (const auto value = get(node, "keep_alive"))
        client.keep_alive = static_cast<std::uint16_t>(r.seconds(*value, 65535).value_or(60));
    if (const auto value = get(node, "connect"))
        client.auto_connect = r.boolean(*value).value_or(true);
    if (const auto value = get(node, "will"))
        client.will = parse_will(r, *value);
    if (const auto value = get(node, "tls"))
        client.tls = parse_tls(r, *value);
    if (const auto value = get(node, "raw"))
        client.raw = r.boolean(*value).value_or(false);
    if (client.raw) {
        // A raw client sends only what its steps say: session settings would be ignored.
        for (const std::string_view key :
             {"clean_start", "session_expiry", "username", "password", "keep_alive", "will"}) {
            if (const auto value = get(node, key))
                r.error(*value, "`" + std::string(key) +
                                    "` does not apply to a raw client: put it in the CONNECT "
                                    "packet it sends");
        }
    }
    return client;
}

component_spec parse_component(reader& r, const YAML::Node& node, const defaults_spec& defaults) {
    component_spec component;
    component.where = r.where(node);
    component.working_dir = r.base_dir();
    if (!r.expect_map(node, "a component"))
        return component;
    r.check_keys(node,
                 {"name", "command", "working_dir", "env", "ready", "stop_signal", "stop_grace"},
                 "component");
    if (r.require(node, "name", "component"))
        component.name = r.string(*get(node, "name"), "a component name").value_or("");
    if (r.require(node, "command", "component")) {
        const YAML::Node command = *get(node, "command");
        if (command.IsScalar()) {
            component.shell = true;
            component.command.push_back(command.Scalar());
            r.check_template(command, command.Scalar(), false);
        } else if (command.IsSequence() && command.size() > 0) {
            for (const auto& item : command) {
                if (const std::optional<std::string> arg = r.string(item, "a command argument")) {
                    r.check_template(item, *arg, false);
                    component.command.push_back(*arg);
                }
            }
        } else {
            r.error(command,
                    "expected a command (a string for /bin/sh -c, or a non-empty list "
                    "of arguments), got " +
                        describe(command));
        }
    }
    if (const auto value = get(node, "working_dir")) {
        if (const std::optional<std::string> dir = r.string(*value, "a folder"))
            component.working_dir = r.resolve_path(*dir);
    }
    if (const auto value = get(node, "env")) {
        if (r.expect_map(*value, "environment variables")) {
            for (const auto& entry : *value) {
                const std::optional<std::string> name =
                    r.string(entry.first, "an environment variable name");
                const std::optional<std::string> text =
                    r.string(entry.second, "an environment variable value");
                if (!name || !text)
                    continue;
                r.check_template(entry.second, *text, false);
                component.env.emplace_back(*name, *text);
            }
        }
    }
    if (const auto value = get(node, "ready"))
        component.ready = parse_ready(r, *value, defaults);
    if (const auto value = get(node, "stop_signal"))
        component.stop_signal = parse_signal(r, *value).value_or(SIGTERM);
    if (const auto value = get(node, "stop_grace"))
        component.stop_grace = r.duration(*value).value_or(component.stop_grace);
    return component;
}

}  // namespace harness::scenario::detail
