// The tutorial every newcomer runs, against the embedded broker instead of mosquitto:
//   mosquitto_sub -t example_topic
//   mosquitto_pub -t example_topic -m "Time for a coffee"
// once with the broker in this process, once as the `mqtt-harness broker -p 0` binary.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "harness/broker/server.hpp"
#include "peers.hpp"

namespace harness::broker_interop {
namespace {

constexpr const char* coffee = "Time for a coffee";

/// Counts the SUBACKs the broker sends, seen from its own thread.
class suback_counter {
  public:
    void setup(broker::broker& core) {
        core.observe([this](broker::connection_id, broker::direction d, const codec::packet& p,
                            broker::time_point) {
            if (d == broker::direction::out && std::holds_alternative<codec::suback>(p)) {
                const std::lock_guard lock(mutex_);
                ++count_;
                changed_.notify_all();
            }
        });
    }
    bool wait_for(int n, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return count_ >= n; });
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int count_ = 0;
};

TEST(Tutorial, MosquittoSubReceivesTimeForACoffeeThroughTheEmbeddedBroker) {
    ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
    suback_counter subacks;
    broker::embedded_broker b({}, [&](broker::broker& core) { subacks.setup(core); });

    // Exactly the tutorial's commands, pointed at the broker's port.
    auto sub = mosquitto_tool("mosquitto_sub", b.port(), {"-t", "example_topic"});
    ASSERT_TRUE(subacks.wait_for(1, step)) << "mosquitto_sub never subscribed" << describe(*sub);
    auto pub = mosquitto_tool("mosquitto_pub", b.port(), {"-t", "example_topic", "-m", coffee});
    EXPECT_EQ(finish(*pub), 0) << describe(*pub);
    ASSERT_TRUE(sub->wait_for_output(std::string(coffee) + "\n", step)) << describe(*sub);
    EXPECT_EQ(message_lines(*sub), std::vector<std::string>{coffee});
    sub->stop();
}

TEST(Tutorial, MosquittoSubReceivesTimeForACoffeeThroughTheBrokerCommand) {
    ASSERT_NO_FATAL_FAILURE(require_program("mosquitto_sub"));
    broker_process b;
    // -d shows when the subscription is in place; the message line itself is the tutorial's.
    auto sub = mosquitto_tool("mosquitto_sub", b.port(), {"-t", "example_topic", "-d"});
    ASSERT_TRUE(sub->wait_for_output("received SUBACK", step)) << describe(*sub);
    auto pub = mosquitto_tool("mosquitto_pub", b.port(), {"-t", "example_topic", "-m", coffee});
    EXPECT_EQ(finish(*pub), 0) << describe(*pub);
    ASSERT_TRUE(sub->wait_for_output(std::string(coffee) + "\n", step)) << describe(*sub);
    EXPECT_EQ(message_lines(*sub), std::vector<std::string>{coffee});
    sub->stop();
    EXPECT_EQ(b.stop(), 0) << "the broker did not stop cleanly on SIGTERM" << describe(b.process());
}

}  // namespace
}  // namespace harness::broker_interop
