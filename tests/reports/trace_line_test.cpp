// Reading trace entries for the HTML report's diagram: packets in the runner's packet_text form
// (a PUBLISH's unescaped quoted topic and payload, properties after them), steps and their
// failure line, and text of other forms kept whole rather than guessed at.
#include <gtest/gtest.h>

#include "harness/reports/trace_line.hpp"

namespace harness::reports {
namespace {

using kind = trace_line::kind;

TEST(TraceLine, ReadsASentPublishWithFlagsTopicAndPayload) {
    const auto l = parse_trace_line("sensor", "-> PUBLISH q1 id=3 retain \"home/t\" \"21.5\"");
    EXPECT_EQ(l.what, kind::packet);
    EXPECT_TRUE(l.sent);
    EXPECT_EQ(l.type, "PUBLISH");
    EXPECT_EQ(l.detail, "q1 id=3 retain");
    EXPECT_EQ(l.topic, "home/t");
    EXPECT_EQ(l.payload, "21.5");
}

TEST(TraceLine, TellsAJsonPayloadsQuotesFromTheProperties) {
    const auto l = parse_trace_line(
        "app",
        "<- PUBLISH q1 id=1 \"replies/app\" \"{\"service\":\"clock\",\"status\":\"ok\"}\" "
        "content_type=\"application/json\" correlation=\"request-7\"");
    EXPECT_FALSE(l.sent);
    EXPECT_EQ(l.topic, "replies/app");
    EXPECT_EQ(l.payload, "{\"service\":\"clock\",\"status\":\"ok\"}");
}

TEST(TraceLine, KeepsAQuoteAndSpaceInsideThePayload) {
    const auto l = parse_trace_line("c", "-> PUBLISH q0 \"t\" \"say \" hi\" site=berlin");
    EXPECT_EQ(l.topic, "t");
    EXPECT_EQ(l.payload, "say \" hi");
}

TEST(TraceLine, KeepsAPublishOfAnotherFormWholeWithoutTopic) {
    const auto l =
        parse_trace_line("alice", "-> PUBLISH q1 r0 id=3 topic=coffee payload=\"ready\"");
    EXPECT_EQ(l.type, "PUBLISH");
    EXPECT_FALSE(l.topic);
    EXPECT_FALSE(l.payload);
    EXPECT_EQ(l.detail, "q1 r0 id=3 topic=coffee payload=\"ready\"");
}

TEST(TraceLine, ReadsOtherPacketsAndRawLines) {
    auto l = parse_trace_line("display", "<- SUBACK id=1 [Granted QoS 0]");
    EXPECT_EQ(l.what, kind::packet);
    EXPECT_EQ(l.type, "SUBACK");
    EXPECT_EQ(l.detail, "id=1 [Granted QoS 0]");
    l = parse_trace_line("raw", "-> bytes 30 0a 00");
    EXPECT_EQ(l.type, "bytes");
    l = parse_trace_line("raw", "<- malformed packet: bad length");
    EXPECT_EQ(l.type, "malformed");
    EXPECT_EQ(l.detail, "packet: bad length");
    EXPECT_EQ(parse_trace_line("c", "-> PINGREQ").type, "PINGREQ");
}

TEST(TraceLine, ReadsStepsAndTheStepFailedLine) {
    auto l = parse_trace_line("steps", "step 3: expect (a.yaml:18:5)");
    EXPECT_EQ(l.what, kind::step);
    EXPECT_EQ(l.step, 3);
    l = parse_trace_line("steps", "step 12 failed");
    EXPECT_EQ(l.what, kind::step_failed);
    EXPECT_EQ(l.step, 12);
    l = parse_trace_line("steps", "something else");
    EXPECT_EQ(l.what, kind::step);
    EXPECT_EQ(l.step, 0);
}

TEST(TraceLine, TreatsOtherTextAsAnEvent) {
    const auto l = parse_trace_line("svc", "started: ./svc --once");
    EXPECT_EQ(l.what, kind::event);
    EXPECT_EQ(l.detail, "started: ./svc --once");
    // "PUBLISH" in an event's text is not a packet.
    EXPECT_EQ(parse_trace_line("app", "expect satisfied (1 message)").what, kind::event);
}

TEST(TraceLine, ReadsCutOrOddLinesWithoutMakingUpATopic) {
    for (const char* text : {"-> ", "<- PUBLISH", "-> PUBLISH \"", "-> PUBLISH q0 \"t\" \"",
                             "-> PUBLISH q0 \"t\" \"p", "-> PUBLISH \"\" \"\"x", "->", "step"}) {
        SCOPED_TRACE(text);
        const auto l = parse_trace_line("c", text);
        EXPECT_FALSE(l.topic);
        EXPECT_FALSE(l.payload);
    }
    const auto empty = parse_trace_line("c", "-> PUBLISH q0 \"\" \"\"");
    EXPECT_EQ(empty.topic, "");
    EXPECT_EQ(empty.payload, "");
    EXPECT_EQ(parse_trace_line("steps", "step 0: x").step, 0);
    EXPECT_EQ(parse_trace_line("steps", "step 99999999999999: x").step, 0);
}

}  // namespace
}  // namespace harness::reports
