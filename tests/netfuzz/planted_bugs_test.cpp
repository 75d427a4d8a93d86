// The end-to-end proof that `mqtt-harness fuzz` detects bugs: each planted bug of the buggy broker
// (crash, hang, leak), enabled alone, is found by a bounded campaign as exactly one finding of
// its kind with a small reproducer that names the trigger; the reproducer fails a fresh buggy
// broker and passes the embedded broker, both as `fuzz replay` of repro.case and as `run` of
// repro.yaml. A correct broker (the embedded one) fuzzed for a while gives no finding.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "harness/codec/framing.hpp"
#include "netfuzz_processes.hpp"
#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
namespace codec = harness::codec;
using harness::test_support::temp_dir;
using namespace std::chrono_literals;
using netfuzz_test::buggy_broker;
using netfuzz_test::describe;
using netfuzz_test::outcome;
using netfuzz_test::read_file;
using netfuzz_test::run_harness;

std::string buggy_cmd(const std::string& flags) {
    return std::string(BUGGY_BROKER) + " --port {port} " + flags;
}

std::string embedded_cmd() {
    return std::string(MQTT_HARNESS_BINARY) + " broker -p {port} --sys-interval 0";
}

/// One packet in a step's bytes: its type and body (as far as the bytes go).
struct raw_packet {
    codec::packet_type type;
    std::vector<std::uint8_t> body;
};

/// One line of a .case: "<connection>[!] <hex>  # note".
struct case_line {
    std::string connection;
    bool reconnect = false;
    std::vector<std::uint8_t> bytes;
};

std::vector<case_line> case_lines(const std::string& text) {
    std::vector<case_line> out;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line.front() == '#')
            continue;
        std::istringstream fields(line.substr(0, line.find('#')));
        case_line step;
        std::string hex;
        fields >> step.connection >> hex;
        step.reconnect = !step.connection.empty() && step.connection.back() == '!';
        if (step.reconnect)
            step.connection.pop_back();
        for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
            step.bytes.push_back(
                static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        out.push_back(std::move(step));
    }
    return out;
}

/// What each connection of a .case sends, as the broker reads it: its steps' bytes one after
/// the other (a packet may straddle two steps), a new stream after each reconnect.
std::vector<std::vector<std::uint8_t>> connection_streams(const std::vector<case_line>& steps) {
    std::vector<std::vector<std::uint8_t>> streams;
    std::map<std::string, std::size_t> current;  // connection -> index in streams
    for (const auto& step : steps) {
        if (step.reconnect || !current.count(step.connection)) {
            current[step.connection] = streams.size();
            streams.emplace_back();
        }
        auto& stream = streams[current[step.connection]];
        stream.insert(stream.end(), step.bytes.begin(), step.bytes.end());
    }
    return streams;
}

/// The packets a step's bytes hold, split by their fixed headers; a last packet cut short keeps
/// what there is of its body.
std::vector<raw_packet> packets_in(const std::vector<std::uint8_t>& bytes) {
    std::vector<raw_packet> out;
    std::size_t at = 0;
    while (at < bytes.size()) {
        const std::span<const std::uint8_t> rest(bytes.data() + at, bytes.size() - at);
        auto header = codec::parse_fixed_header(rest, 0, false);
        if (!header || !*header)
            break;
        const auto& h = **header;
        const std::size_t end = std::min(rest.size(), h.header_size + h.remaining_length);
        out.push_back({static_cast<codec::packet_type>(h.header >> 4),
                       {rest.begin() + static_cast<std::ptrdiff_t>(h.header_size),
                        rest.begin() + static_cast<std::ptrdiff_t>(end)}});
        at += h.header_size + h.remaining_length;
    }
    return out;
}

/// The topic name of a PUBLISH body.
std::string publish_topic(const raw_packet& p) {
    if (p.body.size() < 2)
        return {};
    const std::size_t length = (std::size_t{p.body[0]} << 8) | p.body[1];
    const std::size_t end = std::min(p.body.size(), 2 + length);
    return {p.body.begin() + 2, p.body.begin() + static_cast<std::ptrdiff_t>(end)};
}

bool any_packet(const std::vector<std::vector<std::uint8_t>>& streams,
                const std::function<bool(const raw_packet&)>& wanted) {
    for (const auto& stream : streams)
        for (const auto& p : packets_in(stream))
            if (wanted(p))
                return true;
    return false;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++n;
    return n;
}

std::vector<fs::path> finding_dirs(const fs::path& out) {
    std::vector<fs::path> dirs;
    if (fs::is_directory(out))
        for (const auto& entry : fs::directory_iterator(out))
            if (entry.is_directory())
                dirs.push_back(entry.path());
    return dirs;
}

struct planted_bug {
    std::string kind;         // the finding's kind
    std::string flags;        // the buggy broker's flags while fuzzing and replaying
    std::string fuzz_extra;   // more options of fuzz and replay ("" or "--rss-growth N")
    std::string repro_flags;  // the buggy broker's flags when repro.yaml runs against it
    std::function<bool(const raw_packet&)> trigger;
};

std::vector<std::string> with_extra(std::vector<std::string> args, const std::string& extra) {
    std::istringstream words(extra);
    for (std::string w; words >> w;)
        args.push_back(w);
    return args;
}

/// Fuzzes the buggy broker with only `bug` enabled and checks the finding and its reproducers;
/// `details` gets the finding's finding.txt.
void prove(const planted_bug& bug, std::string& details) {
    temp_dir dir("planted-" + bug.kind);
    const fs::path out = dir.path() / "findings";
    const std::string junit = dir.file("junit.xml");

    const auto fuzz = run_harness(
        with_extra({"fuzz", "--broker-cmd", buggy_cmd(bug.flags), "--duration", "90s", "--seed",
                    "1", "--out", out.string(), "--junit", junit, "--max-findings", "1"},
                   bug.fuzz_extra),
        240s);
    ASSERT_EQ(fuzz.status, 1) << describe(fuzz);

    const auto dirs = finding_dirs(out);
    ASSERT_EQ(dirs.size(), 1u) << describe(fuzz);
    const fs::path finding = dirs.front();
    EXPECT_TRUE(
        std::regex_match(finding.filename().string(), std::regex(bug.kind + "-[0-9a-f]{8}")))
        << finding;
    for (const char* name : {"repro.case", "repro.yaml", "finding.txt"})
        EXPECT_TRUE(fs::is_regular_file(finding / name)) << finding / name;
    // conn<N>.bin for each connection the minimized case uses (often only conn0)
    bool any_bin = false;
    for (const auto& entry : fs::directory_iterator(finding))
        any_bin = any_bin || std::regex_match(entry.path().filename().string(),
                                              std::regex("conn[0-9]+\\.bin"));
    EXPECT_TRUE(any_bin) << "no conn<N>.bin in " << finding;
    EXPECT_NE(fuzz.out.find(finding.string()), std::string::npos) << describe(fuzz);
    details = read_file(finding / "finding.txt");

    const std::string repro = read_file(finding / "repro.case");
    const auto steps = case_lines(repro);
    EXPECT_GE(steps.size(), 1u) << repro;
    EXPECT_LE(steps.size(), 4u) << repro;
    EXPECT_TRUE(any_packet(connection_streams(steps), bug.trigger)) << "no trigger of the bug in\n"
                                                                    << repro;

    EXPECT_EQ(count_of(read_file(junit), "<testcase"), 1u) << read_file(junit);

    const std::string case_file = (finding / "repro.case").string();
    const auto replay_buggy = run_harness(
        with_extra({"fuzz", "replay", case_file, "--broker-cmd", buggy_cmd(bug.repro_flags)},
                   bug.fuzz_extra),
        120s);
    EXPECT_EQ(replay_buggy.status, 1) << describe(replay_buggy);
    const auto replay_embedded = run_harness(
        with_extra({"fuzz", "replay", case_file, "--broker-cmd", embedded_cmd()}, bug.fuzz_extra),
        120s);
    EXPECT_EQ(replay_embedded.status, 0) << describe(replay_embedded);

    const std::string yaml = (finding / "repro.yaml").string();
    {
        std::istringstream words(bug.repro_flags);
        std::vector<std::string> flags;
        for (std::string w; words >> w;)
            flags.push_back(w);
        buggy_broker broker(flags);
        const auto run_buggy = run_harness({"run", yaml, "--broker", broker.url()}, 120s);
        EXPECT_NE(run_buggy.status, 0) << describe(run_buggy);
        EXPECT_NE(run_buggy.status, -1) << describe(run_buggy);
        if (bug.kind == "hang")
            EXPECT_TRUE(broker.process->running());
        else  // crashed, or aborted past its memory limit
            EXPECT_TRUE(broker.process->wait_for(5s).has_value()) << broker.process->errors();
    }
    const auto run_embedded = run_harness({"run", yaml}, 120s);
    EXPECT_EQ(run_embedded.status, 0) << describe(run_embedded);
}

bool server_only_type(const raw_packet& p) {
    return p.type == codec::packet_type::connack || p.type == codec::packet_type::suback ||
           p.type == codec::packet_type::unsuback || p.type == codec::packet_type::pingresp;
}

TEST(PlantedBugs, TheCrashIsFoundAndReproduced) {
    std::string details;
    prove({"crash", "--crash", "", "--crash", server_only_type}, details);
#if defined(__SANITIZE_ADDRESS__)
    // The sanitizer's report names the function that crashed.
    EXPECT_NE(details.find("handle_server_only_packet"), std::string::npos) << details;
#endif
}

TEST(PlantedBugs, TheHangIsFoundAndReproduced) {
    std::string details;
    // A fresh client waits 1 s for its CONNACK (not 3): each step of minimizing a hang waits
    // that long.
    prove({"hang", "--hang", "--hang-timeout 1s", "--hang",
           [](const raw_packet& p) {
               const auto topic = publish_topic(p);
               return p.type == codec::packet_type::publish &&
                      std::count(topic.begin(), topic.end(), '/') >= 8;
           }},
          details);
}

TEST(PlantedBugs, TheLeakIsFoundAndReproduced) {
    // Fuzzing: a limit far above the growth that counts, so the leak is seen as memory growth
    // before the broker aborts; the reproducer's rounds then exceed a small limit.
    std::string details;
    prove({"memory", "--leak --memory-limit 2048", "--rss-growth 64", "--leak --memory-limit 16",
           [](const raw_packet& p) { return p.type == codec::packet_type::unsubscribe; }},
          details);
}

TEST(PlantedBugs, ACorrectBrokerGivesNoFinding) {
    temp_dir dir("planted-none");
    const fs::path out = dir.path() / "findings";
    const std::string junit = dir.file("junit.xml");
    const auto fuzz = run_harness({"fuzz", "--broker-cmd", embedded_cmd(), "--duration", "10s",
                                   "--seed", "1", "--out", out.string(), "--junit", junit},
                                  120s);
    EXPECT_EQ(fuzz.status, 0) << describe(fuzz);
    EXPECT_TRUE(finding_dirs(out).empty()) << describe(fuzz);
    std::smatch m;
    const std::regex summary(R"((\d+) sessions in [0-9.]+ s \((\d+)/s)");
    ASSERT_TRUE(std::regex_search(fuzz.out, m, summary)) << describe(fuzz);
    EXPECT_GT(std::stoul(m[1].str()), 0u) << describe(fuzz);
    EXPECT_NE(fuzz.out.find("0 finding(s)"), std::string::npos) << describe(fuzz);
    const std::string report = read_file(junit);
    EXPECT_EQ(count_of(report, "<testcase"), 1u) << report;
    EXPECT_EQ(count_of(report, "<failure"), 0u) << report;
}

}  // namespace
