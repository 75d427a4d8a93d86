// The $SYS/broker topics over the network: mosquitto_sub reads them from the embedded broker
// (retained, then updated every sys_interval) and from `mqtt-harness broker --sys-interval`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "harness/broker/server.hpp"
#include "peers.hpp"

namespace harness::broker_interop {
namespace {

bool is_number(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

broker::server_options every_second() {
    broker::server_options o;
    o.broker.sys_interval = std::chrono::seconds(1);
    return o;
}

TEST(SysTopics, MosquittoSubReadsClientsConnectedAsANumber) {
    ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
    broker::embedded_broker b(every_second());
    auto sub = mosquitto_tool("mosquitto_sub", b.port(),
                              {"-t", "$SYS/broker/clients/connected", "-C", "1"});
    ASSERT_EQ(finish(*sub), 0) << describe(*sub);
    const auto lines = message_lines(*sub);
    ASSERT_EQ(lines.size(), 1u) << describe(*sub);
    EXPECT_TRUE(is_number(lines[0])) << lines[0];
}

TEST(SysTopics, ClientsConnectedIsUpdatedWithinAnIntervalOfTheSubscriberConnecting) {
    ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
    broker::embedded_broker b(every_second());
    // The retained value from the start (no client yet), then the update that counts this one.
    auto sub = mosquitto_tool("mosquitto_sub", b.port(),
                              {"-t", "$SYS/broker/clients/connected", "-C", "2"});
    ASSERT_EQ(finish(*sub), 0) << describe(*sub);
    EXPECT_EQ(message_lines(*sub), (std::vector<std::string>{"0", "1"})) << describe(*sub);
}

TEST(SysTopics, BrokerCommandPublishesItsVersionWithSysInterval) {
    ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
    broker_process b({"--sys-interval", "1"});
    auto sub = mosquitto_tool("mosquitto_sub", b.port(),
                              {"-t", "$SYS/broker/version", "-t", "$SYS/broker/uptime", "-C", "2"});
    ASSERT_EQ(finish(*sub), 0) << describe(*sub);
    auto lines = message_lines(*sub);
    std::sort(lines.begin(), lines.end());
    ASSERT_EQ(lines.size(), 2u) << describe(*sub);
    EXPECT_TRUE(lines[0].ends_with(" seconds")) << lines[0];
    EXPECT_TRUE(lines[1].starts_with("mqtt-harness ")) << lines[1];
    EXPECT_EQ(b.stop(), 0) << describe(b.process());
}

}  // namespace
}  // namespace harness::broker_interop
