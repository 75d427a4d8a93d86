// The mosquitto.conf subset: listeners and their options, global options, per_listener_settings,
// warnings for unsupported options and errors for bad values (with file and line), include_dir
// on disk and through an in-memory reader.
#include "harness/broker/config_file.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

#include "support/temp_dir.hpp"

namespace harness::broker {
namespace {

namespace fs = std::filesystem;
using severity = config_problem::severity;

std::string all_problems(const config_file_result& result) {
    std::string text;
    for (const auto& problem : result.problems)
        text += problem.to_string() + "\n";
    return text;
}

/// Parses text as "/etc/mosquitto/mosquitto.conf" with no files around it.
config_file_result parse(std::string_view text) {
    config_file_reader nothing;
    nothing.read_file = [](const fs::path&) { return std::optional<std::string>{}; };
    nothing.list_directory = [](const fs::path&) { return std::optional<std::vector<fs::path>>{}; };
    return parse_config(text, "/etc/mosquitto/mosquitto.conf", nothing);
}

TEST(ConfigFile, SeedConfigurationHasTwoListeners) {
    const auto result =
        parse("listener 1883\nprotocol mqtt\n\nlistener 1884\nprotocol websockets\n");
    EXPECT_TRUE(result.problems.empty()) << all_problems(result);
    ASSERT_EQ(result.config.listeners.size(), 2u);
    const auto& mqtt = result.config.listeners[0];
    EXPECT_EQ(mqtt.port, 1883);
    EXPECT_EQ(mqtt.protocol, listener_protocol::mqtt);
    EXPECT_FALSE(mqtt.bind_address);
    EXPECT_EQ(mqtt.line, 1u);
    const auto& ws = result.config.listeners[1];
    EXPECT_EQ(ws.port, 1884);
    EXPECT_EQ(ws.protocol, listener_protocol::websockets);
    EXPECT_EQ(ws.line, 4u);
    EXPECT_EQ(ws.file, fs::path("/etc/mosquitto/mosquitto.conf"));
}

TEST(ConfigFile, ListenerOptionsFollowTheirListener) {
    const auto result = parse(
        "# TLS and plain\r\n"
        "listener 8883 127.0.0.1\r\n"
        "cafile /certs/ca.pem\r\n"
        "certfile /certs/server cert.pem\r\n"
        "keyfile /certs/server.key\r\n"
        "require_certificate true\r\n"
        "use_identity_as_username true\r\n"
        "listener 1883\r\n");
    EXPECT_TRUE(result.problems.empty()) << all_problems(result);
    ASSERT_EQ(result.config.listeners.size(), 2u);
    const auto& tls = result.config.listeners[0];
    EXPECT_EQ(tls.port, 8883);
    EXPECT_EQ(tls.bind_address, "127.0.0.1");
    EXPECT_EQ(tls.cafile, "/certs/ca.pem");
    EXPECT_EQ(tls.certfile, "/certs/server cert.pem");  // paths are the rest of the line
    EXPECT_EQ(tls.keyfile, "/certs/server.key");
    EXPECT_TRUE(tls.require_certificate);
    EXPECT_TRUE(tls.use_identity_as_username);
    const auto& plain = result.config.listeners[1];
    EXPECT_FALSE(plain.cafile);
    EXPECT_FALSE(plain.require_certificate);
}

TEST(ConfigFile, GlobalOptions) {
    const auto result = parse(
        "allow_anonymous false\n"
        "password_file /etc/mosquitto/passwd\n"
        "acl_file /etc/mosquitto/acl\n"
        "max_packet_size 1000\n"
        "max_inflight_messages 10\n"
        "max_queued_messages 500\n"
        "max_queued_bytes 100000\n"
        "message_size_limit 2048\n"
        "retain_available false\n"
        "max_qos 1\n"
        "max_keepalive 120\n"
        "sys_interval 0\n"
        "log_type error\n"
        "log_type warning\n"
        "log_dest stdout\n"
        "log_dest file /var/log/mosquitto/mosquitto.log\n");
    EXPECT_TRUE(result.problems.empty()) << all_problems(result);
    const auto& c = result.config;
    EXPECT_TRUE(c.listeners.empty());
    EXPECT_EQ(c.security.allow_anonymous, false);
    EXPECT_EQ(c.security.password_file, "/etc/mosquitto/passwd");
    EXPECT_EQ(c.security.acl_file, "/etc/mosquitto/acl");
    EXPECT_EQ(c.max_packet_size, 1000u);
    EXPECT_EQ(c.max_inflight_messages, 10u);
    EXPECT_EQ(c.max_queued_messages, 500u);
    EXPECT_EQ(c.max_queued_bytes, 100000u);
    EXPECT_EQ(c.message_size_limit, 2048u);
    EXPECT_EQ(c.retain_available, false);
    EXPECT_EQ(c.max_qos, codec::qos::at_least_once);
    EXPECT_EQ(c.max_keepalive, 120u);
    EXPECT_EQ(c.sys_interval, 0u);
    EXPECT_EQ(c.log_types, (std::vector<std::string>{"error", "warning"}));
    ASSERT_EQ(c.log_destinations.size(), 2u);
    EXPECT_EQ(c.log_destinations[0].where, log_destination::kind::stdout_stream);
    EXPECT_EQ(c.log_destinations[1],
              (log_destination{log_destination::kind::file, "/var/log/mosquitto/mosquitto.log"}));
    // Unset options stay unset: the broker's defaults apply.
    EXPECT_FALSE(parse("").config.max_qos);
}

TEST(ConfigFile, PerListenerSettings) {
    const auto result = parse(
        "per_listener_settings true\n"
        "allow_anonymous true\n"  // before any listener: global
        "listener 1883\n"
        "allow_anonymous false\n"
        "password_file /p1\n"
        "listener 1884\n"
        "acl_file /acl2\n");
    EXPECT_TRUE(result.problems.empty()) << all_problems(result);
    const auto& c = result.config;
    EXPECT_TRUE(c.per_listener_settings);
    EXPECT_EQ(c.security.allow_anonymous, true);
    ASSERT_EQ(c.listeners.size(), 2u);
    EXPECT_EQ(c.listeners[0].security,
              (security_settings{false, std::string("/p1"), std::nullopt}));
    EXPECT_EQ(c.listeners[1].security,
              (security_settings{std::nullopt, std::nullopt, std::string("/acl2")}));

    // Without it, security options after a listener are still global.
    const auto global = parse("listener 1883\nallow_anonymous true\n");
    EXPECT_EQ(global.config.security.allow_anonymous, true);
    EXPECT_FALSE(global.config.listeners[0].security.allow_anonymous);

    const auto late = parse("listener 1883\nper_listener_settings true\n");
    ASSERT_EQ(late.problems.size(), 1u);
    EXPECT_EQ(late.problems[0].line, 2u);
    EXPECT_FALSE(late.config.per_listener_settings);
}

TEST(ConfigFile, UnsupportedOptionIsAWarningWithItsLine) {
    const auto result = parse(
        "listener 1883\n"
        "persistence true\n"
        "max_qos 2\n"
        "  # an indented comment\n"
        "bridge_protocol_version mqttv50\n");
    ASSERT_EQ(result.problems.size(), 2u) << all_problems(result);
    EXPECT_FALSE(result.has_errors());
    EXPECT_EQ(result.problems[0].level, severity::warning);
    EXPECT_EQ(result.problems[0].line, 2u);
    EXPECT_EQ(result.problems[0].file, fs::path("/etc/mosquitto/mosquitto.conf"));
    EXPECT_EQ(result.problems[0].to_string(),
              "/etc/mosquitto/mosquitto.conf:2: warning: unsupported option 'persistence' "
              "ignored");
    EXPECT_EQ(result.problems[1].line, 5u);
    EXPECT_EQ(result.config.max_qos, codec::qos::exactly_once);  // the rest still applies
}

TEST(ConfigFile, BadValuesAreErrorsWithLineAndExpectation) {
    const auto result = parse(
        "max_qos 3\n"                  // 1
        "listener 70000\n"             // 2
        "protocol mqtts\n"             // 3
        "allow_anonymous yes\n"        // 4
        "max_inflight_messages -1\n"   // 5
        "max_keepalive 10 20\n"        // 6
        "password_file\n"              // 7
        "log_type verbose\n"           // 8
        "log_dest file\n"              // 9
        "max_packet_size 12abc\n"      // 10
        "listener 1883\n"              // 11
        "listener 1883\n"              // 12: the same listener again
        "require_certificate maybe\n"  // 13
    );
    ASSERT_EQ(result.problems.size(), 12u) << all_problems(result);
    EXPECT_TRUE(result.has_errors());
    const std::size_t lines[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13};
    for (std::size_t i = 0; i < result.problems.size(); ++i) {
        EXPECT_EQ(result.problems[i].level, severity::error) << i;
        EXPECT_EQ(result.problems[i].line, lines[i]) << result.problems[i].to_string();
    }
    EXPECT_EQ(result.problems[0].message, "max_qos: expected 0, 1 or 2, got '3'");
    EXPECT_EQ(result.problems[3].message, "allow_anonymous: expected true or false, got 'yes'");
    EXPECT_EQ(result.problems[6].message, "password_file: expected a path, got nothing");
    EXPECT_NE(result.problems[10].message.find("already defined at"), std::string::npos);
    // Nothing bad was applied.
    EXPECT_FALSE(result.config.max_qos);
    EXPECT_FALSE(result.config.security.allow_anonymous);
    EXPECT_EQ(result.config.listeners.size(), 1u);
}

TEST(ConfigFile, ListenerOptionBeforeAnyListenerIsAnError) {
    const auto result = parse("protocol websockets\nlistener 1883\n");
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_EQ(result.problems[0].line, 1u);
    EXPECT_NE(result.problems[0].message.find("must follow a listener line"), std::string::npos);
    EXPECT_EQ(result.config.listeners.at(0).protocol, listener_protocol::mqtt);
}

TEST(ConfigFile, SeveralListenersMayAskForAnyFreePort) {
    const auto result = parse("listener 0 127.0.0.1\nlistener 0 127.0.0.1\n");
    EXPECT_TRUE(result.problems.empty()) << all_problems(result);
    EXPECT_EQ(result.config.listeners.size(), 2u);
}

TEST(ConfigFile, OptionLinesAreLocatedGloballyOrInTheirListener) {
    const auto result = parse(
        "per_listener_settings true\n"  // 1
        "password_file /p\n"            // 2: global (before any listener)
        "listener 1883\n"               // 3
        "certfile /c\n"                 // 4
        "acl_file /a\n"                 // 5: the listener's
        "max_qos 1\n"                   // 6
        "log_dest stdout\n"             // 7
        "log_dest stderr\n");           // 8
    EXPECT_TRUE(result.problems.empty()) << all_problems(result);
    const auto& c = result.config;
    EXPECT_EQ(c.file, fs::path("/etc/mosquitto/mosquitto.conf"));
    EXPECT_EQ(c.locations.at("password_file").line, 2u);
    EXPECT_EQ(c.locations.at("max_qos").line, 6u);
    EXPECT_EQ(c.locations.count("acl_file"), 0u);
    EXPECT_EQ(c.listeners.at(0).locations.at("certfile").line, 4u);
    EXPECT_EQ(c.listeners.at(0).locations.at("acl_file").line, 5u);
    ASSERT_EQ(c.log_destination_locations.size(), 2u);
    EXPECT_EQ(c.log_destination_locations[1].line, 8u);
}

TEST(ConfigFile, IncludeDirThroughAReader) {
    const std::map<fs::path, std::string> files = {
        {"/etc/mosquitto/conf.d/b.conf", "listener 1884\nprotocol websockets\n"},
        {"/etc/mosquitto/conf.d/a.conf", "max_qos 1\nprotocol websockets\n"},
        {"/etc/mosquitto/conf.d/notes.txt", "this is not read\n"},
        {"/etc/mosquitto/conf.d/c.conf", "max_qos 0\nlog_type nonsense\n"},
    };
    config_file_reader reader;
    reader.read_file = [&](const fs::path& path) -> std::optional<std::string> {
        const auto found = files.find(path);
        if (found == files.end())
            return std::nullopt;
        return found->second;
    };
    reader.list_directory = [&](const fs::path& dir) -> std::optional<std::vector<fs::path>> {
        if (dir != fs::path("/etc/mosquitto/conf.d"))
            return std::nullopt;
        std::vector<fs::path> listed;
        for (auto it = files.rbegin(); it != files.rend(); ++it)  // not sorted
            listed.push_back(it->first);
        return listed;
    };
    const auto result = parse_config("listener 1883\ninclude_dir conf.d\nmax_keepalive 60\n",
                                     "/etc/mosquitto/mosquitto.conf", reader);
    // a.conf's protocol line continues the main file's listener, c.conf's bad log_type is
    // reported against c.conf.
    ASSERT_EQ(result.problems.size(), 1u) << all_problems(result);
    EXPECT_EQ(result.problems[0].file, fs::path("/etc/mosquitto/conf.d/c.conf"));
    EXPECT_EQ(result.problems[0].line, 2u);
    const auto& c = result.config;
    EXPECT_EQ(c.included_files,
              (std::vector<fs::path>{"/etc/mosquitto/conf.d/a.conf", "/etc/mosquitto/conf.d/b.conf",
                                     "/etc/mosquitto/conf.d/c.conf"}));
    ASSERT_EQ(c.listeners.size(), 2u);
    EXPECT_EQ(c.listeners[0].protocol, listener_protocol::websockets);
    EXPECT_EQ(c.listeners[1].port, 1884);
    EXPECT_EQ(c.listeners[1].file, fs::path("/etc/mosquitto/conf.d/b.conf"));
    EXPECT_EQ(c.max_qos, codec::qos::at_most_once);  // c.conf read last
    EXPECT_EQ(c.max_keepalive, 60u);                 // the main file carries on after it
}

TEST(ConfigFile, IncludeDirOnDisk) {
    test_support::temp_dir dir("config-test");
    fs::create_directory(dir.path() / "conf.d");
    dir.write("conf.d/20-ws.conf", "listener 9001\nprotocol websockets\n");
    dir.write("conf.d/10-limits.conf", "max_inflight_messages 5\nlistener 1885\n");
    dir.write("conf.d/README", "not a conf file\n");
    fs::create_directory(dir.path() / "conf.d" / "sub.conf");  // a directory: skipped
    const auto main = dir.write("mosquitto.conf", "include_dir conf.d\n");

    const auto result = load_config(main);
    EXPECT_TRUE(result.problems.empty()) << all_problems(result);
    ASSERT_EQ(result.config.listeners.size(), 2u);
    EXPECT_EQ(result.config.listeners[0].port, 1885);  // 10-limits.conf first
    EXPECT_EQ(result.config.listeners[1].port, 9001);
    EXPECT_EQ(result.config.listeners[1].protocol, listener_protocol::websockets);
    EXPECT_EQ(result.config.max_inflight_messages, 5u);

    // include_dir only in the main file; a missing directory is an error.
    dir.write("conf.d/30-nested.conf", "include_dir .\n");
    const auto nested = load_config(main);
    ASSERT_EQ(nested.problems.size(), 1u) << all_problems(nested);
    EXPECT_EQ(nested.problems[0].file, dir.path() / "conf.d" / "30-nested.conf");
    const auto missing = parse_config("include_dir nowhere\n", main);
    ASSERT_EQ(missing.problems.size(), 1u);
    EXPECT_NE(missing.problems[0].message.find("cannot list"), std::string::npos);
}

TEST(ConfigFile, UnreadableMainFile) {
    test_support::temp_dir dir("config-test");
    const auto result = load_config(dir.file("absent.conf"));
    ASSERT_EQ(result.problems.size(), 1u);
    EXPECT_EQ(result.problems[0].line, 0u);
    EXPECT_TRUE(result.has_errors());
}

}  // namespace
}  // namespace harness::broker
