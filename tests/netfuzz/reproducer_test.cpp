// Reproducers: the directory name (stable per signature), the files of a finding and their
// contents, and the scenario: it loads, passes against a live broker (the embedded one, in this
// process) and fails when nothing listens or when the broker never answers.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fstream>
#include <sstream>

#include "harness/broker/server.hpp"
#include "harness/codec/codec.hpp"
#include "harness/netfuzz/reproducer.hpp"
#include "runner/run_test_support.hpp"
#include "support/loopback.hpp"
#include "support/temp_dir.hpp"

namespace harness::netfuzz {
namespace {

namespace asio = boost::asio;
using runner::test::report;
using runner::test::traced;
using bytes = std::vector<std::uint8_t>;

fuzz_step packet_step(std::uint8_t connection, const codec::packet& p,
                      codec::protocol_version version, std::string note, bool reconnect = false) {
    fuzz_step s;
    s.connection = connection;
    s.reconnect = reconnect;
    s.bytes = codec::encode(p, version);
    s.packet = p;
    s.version = version;
    s.note = std::move(note);
    return s;
}

codec::connect connect_packet(std::string client_id, codec::protocol_version version) {
    codec::connect c;
    c.version = version;
    c.client_id = std::move(client_id);
    return c;
}

/// CONNECT then a malformed PUBLISH (QoS 3) on c0, CONNECT and SUBSCRIBE on c1, a 3.1.1 client
/// on c2, then c0 reconnects and connects again.
fuzz_case sample() {
    using codec::protocol_version;
    fuzz_case c;
    c.steps.push_back(packet_step(0, connect_packet("fz-c0", protocol_version::v5),
                                  protocol_version::v5, "CONNECT fz-c0"));
    fuzz_step malformed;
    malformed.connection = 0;
    malformed.bytes = {0x36, 0x03, 0x00, 0x01, 0x61};
    malformed.note = "PUBLISH q3 \"a\"\n+ reserved QoS";
    c.steps.push_back(malformed);
    c.steps.push_back(packet_step(1, connect_packet("fz-c1", protocol_version::v5),
                                  protocol_version::v5, "CONNECT fz-c1"));
    codec::subscribe sub;
    sub.packet_id = 1;
    codec::subscription filter;
    filter.topic_filter = "fz/#";
    sub.subscriptions.push_back(filter);
    c.steps.push_back(packet_step(1, sub, protocol_version::v5, "SUBSCRIBE fz/#"));
    c.steps.push_back(packet_step(2, connect_packet("fz-c2", protocol_version::v3_1_1),
                                  protocol_version::v3_1_1, "CONNECT 3.1.1 fz-c2"));
    c.steps.push_back(packet_step(0, connect_packet("fz-c0", protocol_version::v5),
                                  protocol_version::v5, "CONNECT fz-c0 again", true));
    return c;
}

finding sample_finding() {
    finding f;
    f.kind = finding_kind::crash;
    f.signature = "SEGV in decode_publish <- handle_read";
    f.reproducer = sample();
    f.details = "==1==ERROR: AddressSanitizer: SEGV on unknown address\n    #0 decode_publish";
    f.original_steps = 40;
    f.original_bytes = 1234;
    return f;
}

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string as_text(const bytes& b) {
    return std::string(b.begin(), b.end());
}

runner::run_options against(std::uint16_t port) {
    auto options = runner::test::quick_options();
    std::string error;
    options.broker =
        transport::parse_broker_url("mqtt://127.0.0.1:" + std::to_string(port), error).value();
    return options;
}

TEST(Reproducer, DirectoryNameIsTheKindAndAStableHashOfTheSignature) {
    finding f;
    f.signature = "a";
    EXPECT_EQ(finding_dir_name(f), "crash-e40c292c");  // FNV-1a 32 of "a"
    f.signature = "";
    EXPECT_EQ(finding_dir_name(f), "crash-811c9dc5");
    f.kind = finding_kind::hang;
    EXPECT_EQ(finding_dir_name(f), "hang-811c9dc5");
    f.kind = finding_kind::memory;
    f.signature = "rss grows 40 MB over 50 rounds";
    const auto name = finding_dir_name(f);
    EXPECT_EQ(name, finding_dir_name(f));
    ASSERT_EQ(name.size(), std::string("memory-").size() + 8);
    EXPECT_TRUE(name.starts_with("memory-"));
    EXPECT_EQ(name.find_first_not_of("0123456789abcdef", 7), std::string::npos) << name;
    f.signature += ".";
    EXPECT_NE(finding_dir_name(f), name);
    EXPECT_EQ(to_string(finding_kind::crash), "crash");
    EXPECT_EQ(to_string(finding_kind::hang), "hang");
    EXPECT_EQ(to_string(finding_kind::memory), "memory");
}

TEST(Reproducer, ScenarioLoadsAndSpellsTheStepsOut) {
    const auto c = sample();
    const std::string yaml = scenario_yaml(c, "fuzz crash-1234abcd", 1500);
    const auto loaded = scenario::load_text(yaml, "repro.yaml");
    std::string errors;
    for (const auto& d : loaded.errors)
        errors += d.to_string() + "\n";
    ASSERT_TRUE(loaded.ok()) << errors << yaml;
    ASSERT_EQ(loaded.file.scenarios.size(), 1u);
    EXPECT_EQ(loaded.file.scenarios[0].name, "fuzz crash-1234abcd");
    EXPECT_TRUE(runner::test::has(yaml, "{name: c0, raw: true, protocol: 5, connect: false}"));
    EXPECT_TRUE(runner::test::has(yaml, "{name: c2, raw: true, protocol: 3.1.1, connect: false}"));
    EXPECT_TRUE(runner::test::has(yaml, "{name: alive, raw: true, protocol: 3.1.1"));
    EXPECT_TRUE(runner::test::has(yaml, "description: \"Found by the network fuzzer"));
    // Notes are comments on one line.
    EXPECT_TRUE(runner::test::has(yaml,
                                  "  # PUBLISH q3 \"a\" + reserved QoS\n"
                                  "  - send: {client: c0, hex: \"3603000161\"}\n"));
    // The reconnect closes the connection and opens a new one before the send.
    EXPECT_TRUE(runner::test::has(yaml,
                                  "  - disconnect: c0\n"
                                  "  - connect: c0\n"
                                  "  # CONNECT fz-c0 again\n"
                                  "  - send: {client: c0, hex: \"101"));
    EXPECT_TRUE(runner::test::has(
        yaml,
        "  - connect: alive\n"
        "  - send: {client: alive, hex: \"101600044d5154540402001e000a66757a7a2d616c697665\"}\n"
        "  - expect_packet: {client: alive, packet: {type: connack}, within: 1500ms}\n"));
    // The alive CONNECT is a well-formed 3.1.1 CONNECT.
    const auto alive =
        codec::decode(std::vector<std::uint8_t>{0x10, 0x16, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54,
                                                0x04, 0x02, 0x00, 0x1e, 0x00, 0x0a, 'f',  'u',
                                                'z',  'z',  '-',  'a',  'l',  'i',  'v',  'e'},
                      codec::protocol_version::v3_1_1);
    ASSERT_TRUE(alive);
    const auto& connect = std::get<codec::connect>(*alive);
    EXPECT_EQ(connect.client_id, "fuzz-alive");
    EXPECT_EQ(connect.keep_alive, 30);
    EXPECT_TRUE(connect.clean_start);
    EXPECT_EQ(connect.version, codec::protocol_version::v3_1_1);
}

TEST(Reproducer, ScenarioOfAnEmptyCaseOrEmptyStepsLoads) {
    fuzz_case c;
    auto loaded = scenario::load_text(scenario_yaml(c, "empty"), "repro.yaml");
    EXPECT_TRUE(loaded.ok());
    fuzz_step open_only;
    open_only.connection = 3;
    open_only.reconnect = true;
    open_only.note = "nothing: {{not a template}}";
    c.steps.push_back(open_only);
    const auto yaml = scenario_yaml(c, "name with \"quotes\" and \\ and\nnewline");
    loaded = scenario::load_text(yaml, "repro.yaml");
    ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string()) << yaml;
    EXPECT_EQ(loaded.file.scenarios[0].name, "name with \"quotes\" and \\ and newline");
    EXPECT_TRUE(runner::test::has(yaml, "  - connect: c3\n"));
    // Only the final barrier goes out on c3: the step itself has no bytes.
    const auto first = yaml.find("client: c3, hex");
    ASSERT_NE(first, std::string::npos) << yaml;
    const std::string barrier = "client: c3, hex: \"c000\"}";
    EXPECT_EQ(yaml.compare(first, barrier.size(), barrier), 0) << yaml;
    EXPECT_EQ(yaml.find("client: c3, hex", first + 1), std::string::npos) << yaml;
}

TEST(Reproducer, ScenarioSendsTheBarriersTheFuzzerSent) {
    // c0, then c1, then c0 again: a PINGREQ on c0 before c1's step, on c1 before c0's, and on
    // both at the end, as the executor sends them (a packet cut short may need those bytes).
    fuzz_case c;
    for (std::uint8_t conn : {0, 1, 0}) {
        fuzz_step s;
        s.connection = conn;
        s.bytes = {0x30, 0x03, 0x00, 0x01, static_cast<std::uint8_t>('a' + conn)};
        c.steps.push_back(s);
    }
    const auto yaml = scenario_yaml(c, "barriers");
    const std::string b0 = "  - send: {client: c0, hex: \"c000\"}";
    const std::string b1 = "  - send: {client: c1, hex: \"c000\"}";
    const auto step1 = yaml.find("hex: \"3003000161\"");
    const auto step2 = yaml.find("hex: \"3003000162\"");
    const auto step3 = yaml.find("hex: \"3003000161\"", step1 + 1);
    ASSERT_NE(step3, std::string::npos) << yaml;
    const auto first_b0 = yaml.find(b0);
    EXPECT_TRUE(first_b0 > step1 && first_b0 < step2) << yaml;
    const auto first_b1 = yaml.find(b1);
    EXPECT_TRUE(first_b1 > step2 && first_b1 < step3) << yaml;
    EXPECT_NE(yaml.find(b0, step3), std::string::npos) << yaml;
    EXPECT_NE(yaml.find(b1, step3), std::string::npos) << yaml;
    EXPECT_TRUE(scenario::load_text(yaml, "repro.yaml").ok()) << yaml;
}

TEST(Reproducer, ScenarioPassesAgainstTheEmbeddedBroker) {
    broker::embedded_broker b;
    const auto yaml = scenario_yaml(sample(), "fuzz sample");
    const auto r = runner::run_scenario(runner::test::load_yaml(yaml), against(b.port()));
    EXPECT_EQ(r.outcome, runner::verdict::passed) << report(r) << yaml;
    // Every connection sent, and the fresh client got its CONNACK.
    EXPECT_TRUE(traced(r, "c0", "-> bytes 3603000161")) << report(r);
    EXPECT_TRUE(traced(r, "c1", "-> bytes 82")) << report(r);
    EXPECT_TRUE(traced(r, "c2", "-> bytes 10")) << report(r);
    EXPECT_TRUE(traced(r, "alive", "<- CONNACK")) << report(r);
}

TEST(Reproducer, ScenarioFailsWhenNothingListens) {
    const auto yaml = scenario_yaml(sample(), "fuzz sample");
    const auto r =
        runner::run_scenario(runner::test::load_yaml(yaml), against(test_support::free_port()));
    EXPECT_NE(r.outcome, runner::verdict::passed) << report(r);
    ASSERT_TRUE(r.fail) << report(r);
}

TEST(Reproducer, ScenarioFailsWhenTheBrokerNeverAnswers) {
    // Connections complete in the listen backlog; nothing is ever read or answered.
    asio::io_context io;
    asio::ip::tcp::acceptor silent(io,
                                   asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto yaml = scenario_yaml(sample(), "fuzz sample", 300);
    const auto r = runner::run_scenario(runner::test::load_yaml(yaml),
                                        against(silent.local_endpoint().port()));
    ASSERT_EQ(r.outcome, runner::verdict::failed) << report(r);
    EXPECT_TRUE(runner::test::has(r.fail->message, "alive")) << report(r);
}

TEST(Reproducer, WritesEveryFileOfTheFinding) {
    test_support::temp_dir tmp("netfuzz-repro");
    const auto f = sample_finding();
    std::error_code ec;
    const auto out = tmp.path() / "findings";
    const auto dir = write_reproducer(out, f, ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(dir, out / finding_dir_name(f));

    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"conn0.bin", "conn1.bin", "conn2.bin", "finding.txt",
                                               "repro.case", "repro.yaml"}));

    // repro.case: a header, then the case; it parses back to the same steps.
    const std::string text = read(dir / "repro.case");
    EXPECT_TRUE(text.starts_with("# mqtt-harness fuzz finding: crash\n")) << text;
    EXPECT_TRUE(runner::test::has(text, "# signature: SEGV in decode_publish <- handle_read\n"));
    EXPECT_TRUE(runner::test::has(text, "# minimized from 40 steps, 1234 bytes to 6 steps, "));
    EXPECT_TRUE(runner::test::has(text, "mqtt-harness fuzz replay repro.case --broker URL"));
    EXPECT_TRUE(runner::test::has(text, "# repeat: 1\n"));
    EXPECT_TRUE(runner::test::has(text, to_text(f.reproducer)));
    const auto parsed = case_from_text(text);
    ASSERT_TRUE(parsed.value) << parsed.error;
    ASSERT_EQ(parsed.value->steps.size(), f.reproducer.steps.size());
    for (std::size_t i = 0; i < parsed.value->steps.size(); ++i) {
        EXPECT_EQ(parsed.value->steps[i].bytes, f.reproducer.steps[i].bytes) << i;
        EXPECT_EQ(parsed.value->steps[i].connection, f.reproducer.steps[i].connection) << i;
        EXPECT_EQ(parsed.value->steps[i].reconnect, f.reproducer.steps[i].reconnect) << i;
    }

    // conn<N>.bin: each connection's bytes, across its reconnect.
    const auto& s = f.reproducer.steps;
    EXPECT_EQ(read(dir / "conn0.bin"),
              as_text(s[0].bytes) + as_text(s[1].bytes) + as_text(s[5].bytes));
    EXPECT_EQ(read(dir / "conn1.bin"), as_text(s[2].bytes) + as_text(s[3].bytes));
    EXPECT_EQ(read(dir / "conn2.bin"), as_text(s[4].bytes));

    EXPECT_EQ(read(dir / "repro.yaml"),
              scenario_yaml(f.reproducer, "fuzz " + dir.filename().string()));
    EXPECT_TRUE(scenario::load_file((dir / "repro.yaml").string()).ok());

    const std::string summary = read(dir / "finding.txt");
    EXPECT_TRUE(
        summary.starts_with("kind: crash\nsignature: SEGV in decode_publish <- handle_read\n"))
        << summary;
    EXPECT_TRUE(runner::test::has(summary, "6 steps"));
    EXPECT_TRUE(runner::test::has(summary, "3 connections"));
    EXPECT_TRUE(runner::test::has(summary, "minimized from 40 steps, 1234 bytes"));
    EXPECT_TRUE(runner::test::has(summary, "mqtt-harness fuzz replay repro.case --broker URL"));
    EXPECT_TRUE(runner::test::has(summary, "mqtt-harness run repro.yaml --broker URL"));
    EXPECT_TRUE(runner::test::has(summary, "details:\n" + f.details + "\n"));
}

TEST(Reproducer, WritingAgainReplacesTheFilesAndDropsConnectionsNoLongerUsed) {
    test_support::temp_dir tmp("netfuzz-repro");
    auto f = sample_finding();
    std::error_code ec;
    const auto dir = write_reproducer(tmp.path(), f, ec);
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_TRUE(std::filesystem::exists(dir / "conn2.bin"));
    f.reproducer.steps.resize(2);  // c0 only
    f.details = "second";
    EXPECT_EQ(write_reproducer(tmp.path(), f, ec), dir);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(std::filesystem::exists(dir / "conn0.bin"));
    EXPECT_FALSE(std::filesystem::exists(dir / "conn1.bin"));
    EXPECT_FALSE(std::filesystem::exists(dir / "conn2.bin"));
    EXPECT_TRUE(runner::test::has(read(dir / "finding.txt"), "details:\nsecond\n"));
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                            std::filesystem::directory_iterator()),
              4);  // no temporary file left behind
}

TEST(Reproducer, AMemoryFindingsScenarioPlaysEveryRoundAndItsCaseOneRound) {
    test_support::temp_dir tmp("netfuzz-repro");
    auto f = sample_finding();
    f.kind = finding_kind::memory;
    f.repeat = 3;
    std::error_code ec;
    const auto dir = write_reproducer(tmp.path(), f, ec);
    ASSERT_FALSE(ec) << ec.message();
    const std::string text = read(dir / "repro.case");
    EXPECT_TRUE(runner::test::has(text, "\n# repeat: 3\n"));
    const auto parsed = case_from_text(text);
    ASSERT_TRUE(parsed.value) << parsed.error;
    EXPECT_EQ(parsed.value->steps.size(), f.reproducer.steps.size());
    const auto& s = f.reproducer.steps;
    EXPECT_EQ(read(dir / "conn1.bin"), as_text(s[2].bytes) + as_text(s[3].bytes));
    EXPECT_EQ(read(dir / "repro.yaml"),
              scenario_yaml(repeated(f.reproducer, 3), "fuzz " + dir.filename().string()));
    EXPECT_TRUE(runner::test::has(read(dir / "finding.txt"), "rounds: 3"));
    // Three rounds against a live broker: still green.
    broker::embedded_broker b;
    const auto r =
        runner::run_scenario(runner::test::load_yaml(read(dir / "repro.yaml")), against(b.port()));
    EXPECT_EQ(r.outcome, runner::verdict::passed) << report(r);
}

TEST(Reproducer, ReportsAnOutputDirectoryThatCannotBeCreated) {
    test_support::temp_dir tmp("netfuzz-repro");
    const auto file = tmp.write("not-a-directory", "x");
    std::error_code ec;
    write_reproducer(file, sample_finding(), ec);
    EXPECT_TRUE(ec);
}

}  // namespace
}  // namespace harness::netfuzz
