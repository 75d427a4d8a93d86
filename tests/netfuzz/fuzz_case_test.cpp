// The fuzz case: sizes and connections, the text form (round trip, comments, errors that name
// the line, packets restored from well-formed bytes) and repetition on fresh connections.
#include <gtest/gtest.h>

#include "harness/codec/codec.hpp"
#include "harness/netfuzz/fuzz_case.hpp"

namespace harness::netfuzz {
namespace {

using bytes = std::vector<std::uint8_t>;

fuzz_step step(std::uint8_t connection, bytes b, std::string note = "", bool reconnect = false) {
    fuzz_step s;
    s.connection = connection;
    s.bytes = std::move(b);
    s.note = std::move(note);
    s.reconnect = reconnect;
    return s;
}

fuzz_case sample() {
    fuzz_case c;
    c.steps.push_back(step(0, {0x10, 0x02, 0xab, 0xcd}, "CONNECT-ish"));
    c.steps.push_back(step(2, {0xe0, 0x00}, "DISCONNECT"));
    c.steps.push_back(step(0, {0x00, 0xff, 0x7f}, "two\nlines # with a hash"));
    c.steps.push_back(step(2, {}, "", true));
    c.steps.push_back(step(3, {0xc0, 0x00}, "", true));
    return c;
}

/// What the text form keeps: connections, reconnects, bytes and notes (on one line).
void expect_same_steps(const fuzz_case& got, const fuzz_case& want) {
    ASSERT_EQ(got.steps.size(), want.steps.size());
    for (std::size_t i = 0; i < want.steps.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(got.steps[i].connection, want.steps[i].connection);
        EXPECT_EQ(got.steps[i].reconnect, want.steps[i].reconnect);
        EXPECT_EQ(got.steps[i].bytes, want.steps[i].bytes);
    }
}

TEST(FuzzCase, CountsBytesAndListsConnectionsInFirstUseOrder) {
    const auto c = sample();
    EXPECT_EQ(c.byte_count(), 11u);
    EXPECT_EQ(c.connections(), (std::vector<std::uint8_t>{0, 2, 3}));
    EXPECT_EQ(fuzz_case().byte_count(), 0u);
    EXPECT_TRUE(fuzz_case().connections().empty());
}

TEST(FuzzCase, TextHasAStepPerLine) {
    EXPECT_EQ(to_text(sample()),
              "0 1002abcd  # CONNECT-ish\n"
              "2 e000  # DISCONNECT\n"
              "0 00ff7f  # two lines # with a hash\n"
              "2! \n"
              "3! c000\n");
    EXPECT_EQ(to_text(fuzz_case()), "");
}

TEST(FuzzCase, TextRoundTrips) {
    const auto c = sample();
    const auto parsed = case_from_text(to_text(c));
    ASSERT_TRUE(parsed.value) << parsed.error;
    EXPECT_TRUE(parsed.error.empty());
    expect_same_steps(*parsed.value, c);
    EXPECT_EQ(parsed.value->steps[0].note, "CONNECT-ish");
    EXPECT_EQ(parsed.value->steps[2].note, "two lines # with a hash");
    EXPECT_EQ(parsed.value->steps[3].note, "");
    // The text of the parsed case is the same text.
    EXPECT_EQ(to_text(*parsed.value), to_text(c));
}

TEST(FuzzCase, ParsingSkipsCommentsAndBlankLinesAndAcceptsUpperCaseHex) {
    const auto parsed = case_from_text(
        "# a header\n"
        "\n"
        "   # indented comment\n"
        "1 E0 00   # spaces inside the hex\r\n"
        "\t0!\tC000\n"
        "3#no space before the note\n");
    ASSERT_TRUE(parsed.value) << parsed.error;
    ASSERT_EQ(parsed.value->steps.size(), 3u);
    EXPECT_EQ(parsed.value->steps[0].connection, 1);
    EXPECT_EQ(parsed.value->steps[0].bytes, (bytes{0xe0, 0x00}));
    EXPECT_EQ(parsed.value->steps[0].note, "spaces inside the hex");
    EXPECT_TRUE(parsed.value->steps[1].reconnect);
    EXPECT_EQ(parsed.value->steps[1].bytes, (bytes{0xc0, 0x00}));
    EXPECT_EQ(parsed.value->steps[2].connection, 3);
    EXPECT_TRUE(parsed.value->steps[2].bytes.empty());
    EXPECT_EQ(parsed.value->steps[2].note, "no space before the note");
}

TEST(FuzzCase, ErrorsNameTheLine) {
    const auto error = [](std::string_view text) {
        const auto parsed = case_from_text(text);
        EXPECT_FALSE(parsed.value);
        return parsed.error;
    };
    EXPECT_EQ(error("0 c000\n# comment\n4 c000\n"), "line 3: connection must be 0..3");
    EXPECT_EQ(error("12 c000"), "line 1: connection must be 0..3");
    EXPECT_EQ(error("0 c00\n"), "line 1: odd number of hex digits");
    EXPECT_EQ(error("\n0 c0zz\n"), "line 2: 'z' is not a hex digit");
    EXPECT_EQ(error("c000\n"),
              "line 1: expected a connection number (0..3) at the start, got `c000`");
    EXPECT_EQ(error("0x c000\n"), "line 1: expected a space after the connection number, got `x`");
    EXPECT_EQ(error("0 c0 0\n"), "line 1: odd number of hex digits");
}

TEST(FuzzCase, EmptyTextIsAnEmptyCase) {
    const auto parsed = case_from_text("# nothing\n\n");
    ASSERT_TRUE(parsed.value);
    EXPECT_TRUE(parsed.value->steps.empty());
}

TEST(FuzzCase, ParsingRestoresPacketsOfWellFormedBytesAtTheConnectionsLevel) {
    codec::connect connect;
    connect.version = codec::protocol_version::v3_1_1;
    connect.client_id = "fz";
    codec::subscribe subscribe;
    subscribe.packet_id = 7;
    codec::subscription sub;
    sub.topic_filter = "a/#";
    sub.max_qos = codec::qos::at_least_once;
    subscribe.subscriptions.push_back(sub);
    fuzz_case c;
    c.steps.push_back(step(0, codec::encode(connect, codec::protocol_version::v3_1_1)));
    c.steps.push_back(step(0, codec::encode(subscribe, codec::protocol_version::v3_1_1)));
    c.steps.push_back(step(1, codec::encode(subscribe, codec::protocol_version::v5)));
    auto broken = codec::encode(subscribe, codec::protocol_version::v5);
    broken.push_back(0x00);  // one byte too many
    c.steps.push_back(step(1, broken));
    const auto parsed = case_from_text(to_text(c));
    ASSERT_TRUE(parsed.value) << parsed.error;
    const auto& s = parsed.value->steps;
    ASSERT_EQ(s.size(), 4u);
    EXPECT_EQ(s[0].version, codec::protocol_version::v3_1_1);
    EXPECT_EQ(s[0].packet, std::optional<codec::packet>(connect));
    EXPECT_EQ(s[1].version, codec::protocol_version::v3_1_1);
    EXPECT_EQ(s[1].packet, std::optional<codec::packet>(subscribe));
    EXPECT_EQ(s[2].version, codec::protocol_version::v5);
    EXPECT_EQ(s[2].packet, std::optional<codec::packet>(subscribe));
    EXPECT_FALSE(s[3].packet);
    EXPECT_EQ(s[3].bytes, broken);
}

TEST(FuzzCase, RepeatedReconnectsTheFirstStepOfEachConnectionAfterTheFirstRound) {
    fuzz_case c;
    c.steps.push_back(step(0, {0x10}));
    c.steps.push_back(step(1, {0x20}));
    c.steps.push_back(step(0, {0x30}));
    const auto r = repeated(c, 3);
    ASSERT_EQ(r.steps.size(), 9u);
    const std::vector<bool> want = {false, false, false, true, true, false, true, true, false};
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(r.steps[i].reconnect, want[i]);
        EXPECT_EQ(r.steps[i].bytes, c.steps[i % 3].bytes);
        EXPECT_EQ(r.steps[i].connection, c.steps[i % 3].connection);
    }
    EXPECT_EQ(repeated(c, 1), c);
    EXPECT_TRUE(repeated(c, 0).steps.empty());
    EXPECT_TRUE(repeated(c, -2).steps.empty());
}

}  // namespace
}  // namespace harness::netfuzz
