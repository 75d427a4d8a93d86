// mosquitto.conf -> server_options: listeners (all addresses without a bind address, WebSocket,
// TLS and its checks naming the listener's line), security globally and per listener with the
// password and ACL files loaded (their problems naming file and line), Mosquitto 2.0's
// allow_anonymous default, and the limits.
#include "harness/broker/server_config.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/temp_dir.hpp"

namespace harness::broker {
namespace {

using severity = config_problem::severity;
using test_support::temp_dir;

std::string all_problems(const std::vector<config_problem>& problems) {
    std::string text;
    for (const auto& problem : problems)
        text += problem.to_string() + "\n";
    return text;
}

/// "user:$7$..." for password "pw".
std::string password_line(const std::string& user) {
    const std::vector<unsigned char> salt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    std::vector<unsigned char> key(64);
    EXPECT_EQ(PKCS5_PBKDF2_HMAC("pw", 2, salt.data(), static_cast<int>(salt.size()), 101,
                                EVP_sha512(), static_cast<int>(key.size()), key.data()),
              1);
    const auto base64 = [](const std::vector<unsigned char>& bytes) {
        std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
        const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                                      static_cast<int>(bytes.size()));
        out.resize(static_cast<std::size_t>(n));
        return out;
    };
    return user + ":$7$101$" + base64(salt) + "$" + base64(key) + "\n";
}

/// Parses `text` as DIR/mosquitto.conf and maps it; parse problems first, then the mapping's.
struct mapped {
    server_config_result result;
    std::vector<config_problem> problems;
};

mapped map_config(const temp_dir& dir, std::string_view text) {
    auto parsed = parse_config(text, dir.file("mosquitto.conf"));
    mapped out{to_server_options(parsed.config), std::move(parsed.problems)};
    out.problems.insert(out.problems.end(), out.result.problems.begin(), out.result.problems.end());
    return out;
}

TEST(ServerConfig, SeedConfigurationMapsToAnMqttAndAWebSocketListenerOnEveryAddress) {
    temp_dir dir("server-config");
    const auto m =
        map_config(dir, "listener 1883\nprotocol mqtt\n\nlistener 1884\nprotocol websockets\n");
    EXPECT_TRUE(m.problems.empty()) << all_problems(m.problems);
    const auto& listeners = m.result.options.listeners;
    ASSERT_EQ(listeners.size(), 2u);
    EXPECT_EQ(listeners[0].port, 1883);
    EXPECT_EQ(listeners[0].bind_address, "");
    EXPECT_EQ(listeners[0].transport, listener_options::protocol::mqtt);
    EXPECT_FALSE(listeners[0].tls);
    EXPECT_EQ(listeners[1].port, 1884);
    EXPECT_EQ(listeners[1].bind_address, "");
    EXPECT_EQ(listeners[1].transport, listener_options::protocol::websockets);
    EXPECT_FALSE(m.result.options.broker.access.allow_anonymous);  // Mosquitto 2.0's default
    EXPECT_TRUE(m.result.options.broker.listener_access.empty());
}

TEST(ServerConfig, ListenerAddressIsTheBindAddress) {
    temp_dir dir("server-config");
    const auto m = map_config(dir, "listener 0 127.0.0.1\nallow_anonymous true\n");
    EXPECT_TRUE(m.problems.empty()) << all_problems(m.problems);
    ASSERT_EQ(m.result.options.listeners.size(), 1u);
    EXPECT_EQ(m.result.options.listeners[0].bind_address, "127.0.0.1");
    EXPECT_EQ(m.result.options.listeners[0].port, 0);
    EXPECT_TRUE(m.result.options.broker.access.allow_anonymous);
}

TEST(ServerConfig, NoListenerIsAnErrorOnTheFile) {
    temp_dir dir("server-config");
    const auto m = map_config(dir, "allow_anonymous true\n");
    ASSERT_TRUE(m.result.has_errors());
    EXPECT_EQ(m.result.problems[0].file, dir.file("mosquitto.conf"));
    EXPECT_EQ(m.result.problems[0].line, 0u);
}

TEST(ServerConfig, CertfileAndKeyfileMakeATlsListener) {
    temp_dir dir("server-config");
    const auto m = map_config(dir,
                              "listener 8883\ncafile /c/ca.pem\ncertfile /c/server.pem\n"
                              "keyfile /c/server.key\nrequire_certificate true\n"
                              "use_identity_as_username true\n"
                              "listener 8081\nprotocol websockets\ncertfile /c/server.pem\n"
                              "keyfile /c/server.key\n");
    EXPECT_TRUE(m.problems.empty()) << all_problems(m.problems);
    const auto& listeners = m.result.options.listeners;
    ASSERT_EQ(listeners.size(), 2u);
    ASSERT_TRUE(listeners[0].tls);
    EXPECT_EQ(listeners[0].tls->certfile, "/c/server.pem");
    EXPECT_EQ(listeners[0].tls->keyfile, "/c/server.key");
    EXPECT_EQ(listeners[0].tls->cafile, "/c/ca.pem");
    EXPECT_TRUE(listeners[0].tls->require_certificate);
    EXPECT_TRUE(listeners[0].tls->use_identity_as_username);
    ASSERT_TRUE(listeners[1].tls);
    EXPECT_EQ(listeners[1].transport, listener_options::protocol::websockets);
    EXPECT_FALSE(listeners[1].tls->require_certificate);
}

TEST(ServerConfig, TlsOptionsThatDoNotGoTogetherAreErrorsNamingTheListenerLine) {
    temp_dir dir("server-config");
    const auto m = map_config(dir,
                              "listener 8883\n"                            // 1
                              "certfile /c/server.pem\n"                   // 2
                              "listener 8884\n"                            // 3
                              "certfile /c/server.pem\nkeyfile /c/k\n"     // 4, 5
                              "require_certificate true\n"                 // 6
                              "listener 8885\n"                            // 7
                              "certfile /c/server.pem\nkeyfile /c/k\n"     // 8, 9
                              "cafile /c/ca.pem\n"                         // 10
                              "use_identity_as_username true\n"            // 11
                              "listener 8886\nrequire_certificate true\n"  // 12, 13
                              "cafile /c/ca.pem\n");                       // 14
    std::vector<std::size_t> lines;
    for (const auto& problem : m.result.problems) {
        EXPECT_EQ(problem.level, severity::error) << problem.to_string();
        EXPECT_EQ(problem.file, dir.file("mosquitto.conf"));
        lines.push_back(problem.line);
    }
    EXPECT_EQ(lines, (std::vector<std::size_t>{1, 3, 7, 12})) << all_problems(m.problems);
    EXPECT_NE(m.result.problems.at(0).message.find("keyfile"), std::string::npos);
    EXPECT_NE(m.result.problems.at(1).message.find("cafile"), std::string::npos);
    EXPECT_NE(m.result.problems.at(2).message.find("require_certificate"), std::string::npos);
}

TEST(ServerConfig, UnreadablePasswordFileIsAnErrorNamingTheConfigLine) {
    temp_dir dir("server-config");
    const auto m = map_config(dir, "listener 1883\n\npassword_file " + dir.file("absent") + "\n");
    ASSERT_EQ(m.result.problems.size(), 1u) << all_problems(m.problems);
    const auto& problem = m.result.problems[0];
    EXPECT_EQ(problem.level, severity::error);
    EXPECT_EQ(problem.file, dir.file("mosquitto.conf"));
    EXPECT_EQ(problem.line, 3u);
    EXPECT_NE(problem.message.find("password_file"), std::string::npos) << problem.message;
}

TEST(ServerConfig, BadPasswordAndAclLinesAreErrorsNamingTheirFileAndLine) {
    temp_dir dir("server-config");
    const auto passwords = dir.write("passwords", password_line("alice") + "bob\n");
    const auto acl = dir.write("acl", "topic read a/#\nbogus line\n");
    const auto m =
        map_config(dir, "listener 1883\npassword_file " + passwords + "\nacl_file " + acl + "\n");
    ASSERT_EQ(m.result.problems.size(), 2u) << all_problems(m.problems);
    EXPECT_EQ(m.result.problems[0].file, passwords);
    EXPECT_EQ(m.result.problems[0].line, 2u);
    EXPECT_NE(m.result.problems[0].message.find("mosquitto.conf:2"), std::string::npos)
        << m.result.problems[0].message;
    EXPECT_EQ(m.result.problems[1].file, acl);
    EXPECT_EQ(m.result.problems[1].line, 2u);
}

TEST(ServerConfig, GlobalPasswordFileChecksEveryListenersUsers) {
    temp_dir dir("server-config");
    const auto passwords = dir.write("passwords", password_line("alice"));
    const auto m = map_config(dir, "password_file " + passwords + "\nlistener 1883\n");
    EXPECT_TRUE(m.problems.empty()) << all_problems(m.problems);
    const auto& access = m.result.options.broker.access;
    ASSERT_TRUE(access.authenticate);
    EXPECT_TRUE(access.authenticate("alice", "pw"));
    EXPECT_FALSE(access.authenticate("alice", "wrong"));
    EXPECT_FALSE(access.authorize);
}

TEST(ServerConfig, PerListenerSettingsGiveEachListenerItsRulesFallingBackToTheGlobalOnes) {
    temp_dir dir("server-config");
    const auto passwords = dir.write("passwords", password_line("alice"));
    const auto acl = dir.write("acl", "topic read a/#\n");
    const auto m = map_config(dir,
                              "per_listener_settings true\n"
                              "acl_file " +
                                  acl +
                                  "\n"
                                  "listener 1883\npassword_file " +
                                  passwords +
                                  "\n"
                                  "listener 1884\nallow_anonymous true\n");
    EXPECT_TRUE(m.problems.empty()) << all_problems(m.problems);
    const auto& rules = m.result.options.broker.listener_access;
    ASSERT_EQ(rules.size(), 2u);
    EXPECT_FALSE(rules[0].allow_anonymous);
    ASSERT_TRUE(rules[0].authenticate);
    EXPECT_TRUE(rules[0].authenticate("alice", "pw"));
    EXPECT_TRUE(rules[0].authorize);  // the global acl_file
    EXPECT_TRUE(rules[1].allow_anonymous);
    EXPECT_FALSE(rules[1].authenticate);
    EXPECT_TRUE(rules[1].authorize);
}

TEST(ServerConfig, FileSharedByListenersIsReportedOnce) {
    temp_dir dir("server-config");
    const auto m = map_config(dir,
                              "per_listener_settings true\n"
                              "listener 1883\npassword_file " +
                                  dir.file("absent") +
                                  "\n"
                                  "listener 1884\npassword_file " +
                                  dir.file("absent") + "\n");
    EXPECT_EQ(m.result.problems.size(), 1u) << all_problems(m.problems);
}

TEST(ServerConfig, LimitsReplaceTheDefaults) {
    temp_dir dir("server-config");
    broker_options base;
    base.version_string = "test";
    auto parsed = parse_config(
        "listener 1883\nmax_packet_size 1000\nmax_inflight_messages 5\nmax_queued_messages 7\n"
        "max_queued_bytes 4096\nretain_available false\nmax_qos 1\nmax_keepalive 60\n"
        "sys_interval 0\n",
        dir.file("mosquitto.conf"));
    const auto result = to_server_options(parsed.config, base);
    EXPECT_TRUE(result.problems.empty()) << all_problems(result.problems);
    const auto& b = result.options.broker;
    EXPECT_EQ(b.maximum_packet_size, 1000u);
    EXPECT_EQ(b.max_inflight_messages, 5u);
    EXPECT_EQ(b.max_queued_messages, 7u);
    EXPECT_EQ(b.max_queued_bytes, 4096u);
    EXPECT_FALSE(b.retain_available);
    EXPECT_EQ(b.maximum_qos, codec::qos::at_least_once);
    EXPECT_EQ(b.max_keepalive, 60u);
    EXPECT_EQ(b.sys_interval, std::chrono::seconds(0));
    EXPECT_EQ(b.version_string, "test");
}

TEST(ServerConfig, MessageSizeLimitBecomesThePayloadLimit) {
    temp_dir dir("server-config");
    const auto m = map_config(dir, "listener 1883\nmessage_size_limit 100\n");
    EXPECT_TRUE(m.result.problems.empty()) << all_problems(m.problems);
    EXPECT_EQ(m.result.options.broker.message_size_limit, 100u);
}

}  // namespace
}  // namespace harness::broker
