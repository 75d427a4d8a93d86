// Raw clients end to end on the embedded broker: structured and hex packets go out, the
// broker's packets are matched by expect_packet, closes are seen by expect_closed, and each
// step fails with a message naming what was wanted and what came instead.
#include <gtest/gtest.h>

#include "harness/runner/run.hpp"
#include "run_test_support.hpp"

namespace harness::runner::test {
namespace {

const std::string connected = R"(
clients:
  - {name: c, raw: true, protocol: 5}
steps:
  - send: {client: c, packet: {type: connect}}
  - expect_packet: {client: c, packet: {type: connack, reason_code: 0}}
)";

TEST(RunRawClients, StructuredPacketsRoundTripThroughTheBroker) {
    const auto r = run_yaml(connected + R"(
  - send:
      client: c
      packet: {type: subscribe, packet_id: 7, subscriptions: [{topic_filter: "a/#", qos: 1}]}
  - expect_packet: {client: c, packet: {type: suback, packet_id: 7, reason_codes: [1]}}
  - send: {client: c, packet: {type: publish, topic: a/b, qos: 1, packet_id: 3, payload: hi}}
  - expect_packet: {client: c, packet: {type: puback, packet_id: 3, reason_code: {one_of: [0, 16]}}}
  - expect_packet: {client: c, packet: {type: publish, topic: a/b, payload: hi, qos: 1}}
)");
    EXPECT_EQ(r.outcome, verdict::passed) << (r.fail ? r.fail->message : "");
}

TEST(RunRawClients, HexWithLengthAndTopicPlaceholdersIsAWellFormedPacket) {
    const auto r = run_yaml(connected + R"(
  - send: {client: c, hex: "82 {{len}} 0009 00 {{topic x/y}} 01"}
  - expect_packet: {client: c, packet: {type: suback, packet_id: 9, reason_codes: [1]}}
)");
    EXPECT_EQ(r.outcome, verdict::passed) << (r.fail ? r.fail->message : "");
}

TEST(RunRawClients, AMismatchNamesTheFieldAndWhatArrived) {
    const auto r = run_yaml(connected + R"(
  - send: {client: c, packet: {type: subscribe, packet_id: 7, subscriptions: [{topic_filter: a}]}}
  - expect_packet: {client: c, packet: {type: suback, packet_id: 8}, within: 300ms}
)");
    ASSERT_EQ(r.outcome, verdict::failed);
    EXPECT_NE(r.fail->message.find("packet_id is 7, expected 8"), std::string::npos)
        << r.fail->message;
    EXPECT_NE(r.fail->message.find("step 4 (expect_packet"), std::string::npos) << r.fail->message;
}

TEST(RunRawClients, MalformedPacketClosesTheConnectionWithAnAllowedReason) {
    const std::string bad_flags = R"(
  - send: {client: c, hex: "80 {{len}} 0001 00 {{topic a}} 00"}
)";
    const auto passes = run_yaml(connected + bad_flags + R"(
  - expect_closed: {client: c, within: 1s, reasons: [0x81, 0x82]}
)");
    EXPECT_EQ(passes.outcome, verdict::passed) << (passes.fail ? passes.fail->message : "");
    const auto fails = run_yaml(connected + bad_flags + R"(
  - expect_closed: {client: c, within: 1s, reasons: [not_authorized]}
)");
    ASSERT_EQ(fails.outcome, verdict::failed);
    EXPECT_NE(fails.fail->message.find("expected one of 0x87"), std::string::npos)
        << fails.fail->message;
}

TEST(RunRawClients, ExpectClosedFailsWhileTheConnectionStaysOpen) {
    const auto r = run_yaml(connected + R"(
  - expect_closed: {client: c, within: 200ms}
)");
    ASSERT_EQ(r.outcome, verdict::failed);
    EXPECT_NE(r.fail->message.find("still open"), std::string::npos) << r.fail->message;
}

TEST(RunRawClients, ExpectNoPacketFailsWhenOneArrives) {
    const auto quiet = run_yaml(connected + R"(
  - expect_no_packet: {client: c, duration: 100ms}
)");
    EXPECT_EQ(quiet.outcome, verdict::passed) << (quiet.fail ? quiet.fail->message : "");
    const auto noisy = run_yaml(connected + R"(
  - send: {client: c, packet: {type: pingreq}}
  - expect_no_packet: {client: c, packet: {type: pingresp}, duration: 500ms}
)");
    ASSERT_EQ(noisy.outcome, verdict::failed);
    EXPECT_NE(noisy.fail->message.find("PINGRESP"), std::string::npos) << noisy.fail->message;
}

TEST(RunRawClients, ConnectReopensAClosedConnection) {
    const auto r = run_yaml(connected + R"(
  - send: {client: c, packet: {type: connect}}
  - expect_closed: {client: c, within: 1s}
  - connect: c
  - send: {client: c, packet: {type: connect, clean_start: false}}
  - expect_packet: {client: c, packet: {type: connack, reason_code: 0}}
)");
    EXPECT_EQ(r.outcome, verdict::passed) << (r.fail ? r.fail->message : "");
}

TEST(RunRawClients, TheRunsCredentialsGoIntoConnectPacketsWithoutAUserName) {
    auto options = quick_options();
    options.username = "alice";
    const auto r = run_yaml(R"(
clients:
  - {name: c, raw: true, protocol: 5}
steps:
  - send: {client: c, packet: {type: connect}}
  - expect_packet: {client: c, packet: {type: connack}}
)",
                            options);
    ASSERT_EQ(r.outcome, verdict::passed);
    bool sent_user = false;
    for (const auto& t : r.trace)
        sent_user = sent_user ||
                    (t.what.starts_with("-> CONNECT") && t.what.find("alice") != std::string::npos);
    EXPECT_TRUE(sent_user);
}

TEST(RunRawClients, SavedValuesKeepTheirTypeInLaterPackets) {
    const auto r = run_yaml(connected + R"(
  - send: {client: c, packet: {type: subscribe, packet_id: 41, subscriptions: [{topic_filter: a}]}}
  - expect_packet:
      client: c
      packet: {type: suback}
      save: {sid: packet_id, granted: "reason_codes[0]"}
  - send:
      client: c
      packet: {type: subscribe, packet_id: "{{sid}}", subscriptions: [{topic_filter: "b{{granted}}"}]}
  - expect_packet: {client: c, packet: {type: suback, packet_id: "{{sid}}", reason_codes: [0]}}
  - send: {client: c, packet: {type: publish, topic: b0, qos: 1, packet_id: 5, payload: x}}
  - expect_packet: {client: c, packet: {type: publish, topic: "b{{granted}}"}}
)");
    EXPECT_EQ(r.outcome, verdict::passed) << (r.fail ? r.fail->message : "");
}

TEST(RunRawClients, SavingAFieldThePacketLacksFails) {
    const auto r = run_yaml(connected + R"(
  - send: {client: c, packet: {type: pingreq}}
  - expect_packet: {client: c, packet: {type: pingresp}, save: {id: packet_id}}
)");
    ASSERT_EQ(r.outcome, verdict::failed);
    EXPECT_NE(r.fail->message.find("has no field packet_id to save as id"), std::string::npos)
        << r.fail->message;
}

}  // namespace
}  // namespace harness::runner::test
