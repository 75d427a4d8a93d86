// paho-mqtt (Debian's python3-paho-mqtt under /usr/bin/python3) against the embedded broker. Each
// scenario is a script in paho/ that takes the port, bounds its own waits, exits 0 on success
// and prints what went wrong otherwise.
#include <gtest/gtest.h>

#include "harness/broker/server.hpp"
#include "peers.hpp"

namespace harness::broker_interop {
namespace {

class Paho : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        auto probe = std::make_unique<child_process>(
            "/usr/bin/python3", std::vector<std::string>{"-c", "import paho.mqtt.client"});
        const auto status = probe->wait_for(step);
        available_ = status == 0;
    }

    void run_script(const std::string& script) {
        ASSERT_TRUE(available_) << "/usr/bin/python3 cannot import paho.mqtt: apt-get install "
                                   "python3-paho-mqtt";
        auto p = paho_script(script, broker.port());
        // The scripts' own watchdog ends them after 30 s; allow a little more.
        EXPECT_EQ(finish(*p, step * 4), 0) << describe(*p);
    }

    broker::embedded_broker broker;
    static inline bool available_ = false;
};

TEST_F(Paho, PersistentSessionGetsWhatWasPublishedWhileAway) {
    run_script("persistent_session.py");
}

TEST_F(Paho, Qos2RoundTripAtBothVersions) {
    run_script("qos2_round_trip.py");
}

TEST_F(Paho, WillOnASocketClosedWithoutDisconnect) {
    run_script("will_abnormal_close.py");
}

TEST_F(Paho, V5PropertiesRoundTrip) {
    run_script("v5_properties.py");
}

}  // namespace
}  // namespace harness::broker_interop
