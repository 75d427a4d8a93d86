// Broker URL parsing: every scheme, default ports and paths, IPv6 literals, printing, and the
// error text for each kind of bad URL.
#include <gtest/gtest.h>

#include <string>

#include "harness/transport/url.hpp"

namespace harness::transport {
namespace {

struct good_url {
    const char* text;
    scheme kind;
    const char* host;
    std::uint16_t port;
    const char* path;
    const char* printed;
};

class parse_good : public ::testing::TestWithParam<good_url> {};

TEST_P(parse_good, gives_the_parts_and_prints_them_back) {
    const auto& c = GetParam();
    std::string error = "stale";
    const auto url = parse_broker_url(c.text, error);
    ASSERT_TRUE(url.has_value()) << c.text << ": " << error;
    EXPECT_TRUE(error.empty());
    EXPECT_EQ(url->kind, c.kind);
    EXPECT_EQ(url->host, c.host);
    EXPECT_EQ(url->port, c.port);
    EXPECT_EQ(url->path, c.path);
    EXPECT_EQ(url->to_string(), c.printed);
    EXPECT_EQ(url->secure(), c.kind == scheme::mqtts || c.kind == scheme::wss);
    // What to_string prints parses back to the same URL.
    std::string again_error;
    EXPECT_EQ(parse_broker_url(url->to_string(), again_error), url) << again_error;
}

INSTANTIATE_TEST_SUITE_P(
    table, parse_good,
    ::testing::Values(
        good_url{"mqtt://localhost", scheme::mqtt, "localhost", 1883, "", "mqtt://localhost:1883"},
        good_url{"mqtt://broker.example:1884", scheme::mqtt, "broker.example", 1884, "",
                 "mqtt://broker.example:1884"},
        good_url{"mqtt://127.0.0.1:1883/", scheme::mqtt, "127.0.0.1", 1883, "",
                 "mqtt://127.0.0.1:1883"},
        good_url{"mqtts://localhost", scheme::mqtts, "localhost", 8883, "",
                 "mqtts://localhost:8883"},
        good_url{"mqtts://my_broker:18883", scheme::mqtts, "my_broker", 18883, "",
                 "mqtts://my_broker:18883"},
        good_url{"ws://localhost", scheme::ws, "localhost", 80, "/mqtt", "ws://localhost:80/mqtt"},
        good_url{"ws://127.0.0.1:8080/", scheme::ws, "127.0.0.1", 8080, "/",
                 "ws://127.0.0.1:8080/"},
        good_url{"ws://127.0.0.1:8080/ws/mqtt?client=1", scheme::ws, "127.0.0.1", 8080,
                 "/ws/mqtt?client=1", "ws://127.0.0.1:8080/ws/mqtt?client=1"},
        good_url{"ws://h:9001?x=1", scheme::ws, "h", 9001, "/?x=1", "ws://h:9001/?x=1"},
        good_url{"wss://broker.example", scheme::wss, "broker.example", 443, "/mqtt",
                 "wss://broker.example:443/mqtt"},
        good_url{"wss://broker.example:8884/mqtt", scheme::wss, "broker.example", 8884, "/mqtt",
                 "wss://broker.example:8884/mqtt"},
        good_url{"mqtt://[::1]:1883", scheme::mqtt, "::1", 1883, "", "mqtt://[::1]:1883"},
        good_url{"mqtt://[::1]", scheme::mqtt, "::1", 1883, "", "mqtt://[::1]:1883"},
        good_url{"wss://[fe80::1:2]:8443/a", scheme::wss, "fe80::1:2", 8443, "/a",
                 "wss://[fe80::1:2]:8443/a"},
        good_url{"MQTTS://Broker:1", scheme::mqtts, "Broker", 1, "", "mqtts://Broker:1"},
        good_url{"mqtt://h:65535", scheme::mqtt, "h", 65535, "", "mqtt://h:65535"}));

struct bad_url {
    const char* text;
    const char* says;  // a part of the error message
};

class parse_bad : public ::testing::TestWithParam<bad_url> {};

TEST_P(parse_bad, is_rejected_with_a_message_that_says_why) {
    const auto& c = GetParam();
    std::string error;
    const auto url = parse_broker_url(c.text, error);
    EXPECT_FALSE(url.has_value()) << c.text << " parsed as " << url->to_string();
    EXPECT_NE(error.find(c.says), std::string::npos) << c.text << ": " << error;
    EXPECT_NE(error.find(std::string("'") + c.text + "'"), std::string::npos)
        << "the message quotes the URL: " << error;
}

INSTANTIATE_TEST_SUITE_P(
    table, parse_bad,
    ::testing::Values(
        bad_url{"", "missing scheme"}, bad_url{"localhost:1883", "missing scheme"},
        bad_url{"http://localhost", "unknown scheme 'http'"},
        bad_url{"tcp://localhost:1883", "unknown scheme 'tcp'"}, bad_url{"mqtt://", "missing host"},
        bad_url{"mqtt://:1883", "missing host"}, bad_url{"ws:///mqtt", "missing host"},
        bad_url{"mqtt://[]:1883", "bad IPv6 address"}, bad_url{"mqtt://h:0", "bad port '0'"},
        bad_url{"mqtt://h:65536", "bad port '65536'"},
        bad_url{"mqtt://h:99999999999999999999", "bad port"},
        bad_url{"mqtt://h:12ab", "bad port '12ab'"}, bad_url{"mqtt://h:-1", "bad port '-1'"},
        bad_url{"mqtt://h:", "bad port ''"}, bad_url{"mqtt://h:1883/topic", "have no path"},
        bad_url{"mqtts://h/x", "have no path"}, bad_url{"mqtt://::1:1883", "in brackets"},
        bad_url{"mqtt://[::1:1883", "missing ']'"},
        bad_url{"mqtt://[not:an:address]:1", "bad IPv6 address"},
        bad_url{"mqtt://[::1]x", "after the IPv6 address"},
        bad_url{"mqtt://user:pw@h:1883", "user information"},
        bad_url{"ws://h/mqtt#top", "fragment"}, bad_url{"mqtt://bad host", "bad host 'bad host'"}));

TEST(scheme_names, and_default_ports) {
    EXPECT_EQ(to_string(scheme::mqtt), "mqtt");
    EXPECT_EQ(to_string(scheme::mqtts), "mqtts");
    EXPECT_EQ(to_string(scheme::ws), "ws");
    EXPECT_EQ(to_string(scheme::wss), "wss");
    EXPECT_EQ(default_port(scheme::mqtt), 1883);
    EXPECT_EQ(default_port(scheme::mqtts), 8883);
    EXPECT_EQ(default_port(scheme::ws), 80);
    EXPECT_EQ(default_port(scheme::wss), 443);
}

}  // namespace
}  // namespace harness::transport
