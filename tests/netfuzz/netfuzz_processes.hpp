// What the fuzzer's command tests share: running mqtt-harness as a child with a time limit, and
// the planted-bug broker started on a port it picks. Needs the MQTT_HARNESS_BINARY and
// BUGGY_BROKER compile definitions (tests/netfuzz/CMakeLists.txt).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/child_process.hpp"

namespace netfuzz_test {

struct outcome {
    int status = -1;  // -1: still running at the limit (then stopped)
    std::string out, err;
};

/// Runs mqtt-harness with `args`; a run past `limit` is stopped and counts as status -1.
inline outcome run_harness(std::vector<std::string> args, std::chrono::milliseconds limit) {
    harness::test_support::child_process p(MQTT_HARNESS_BINARY, std::move(args));
    outcome o;
    const auto status = p.wait_for(limit);
    if (!status)
        p.stop();
    o.status = status.value_or(-1);
    o.out = p.output();
    o.err = p.errors();
    return o;
}

inline std::string describe(const outcome& o) {
    return "exit " + std::to_string(o.status) + "\n--- stdout\n" + o.out + "\n--- stderr\n" + o.err;
}

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The buggy broker started with `flags` on a port it picks, read from its first line.
struct buggy_broker {
    explicit buggy_broker(std::vector<std::string> flags) {
        using namespace std::chrono_literals;
        std::vector<std::string> args{"--port", "0"};
        args.insert(args.end(), flags.begin(), flags.end());
        process = std::make_unique<harness::test_support::child_process>(BUGGY_BROKER, args);
        constexpr std::string_view line = "buggy_broker listening on ";
        if (!process->wait_for_output(line, 10s) || !process->wait_for_output("\n", 1s))
            throw std::runtime_error("buggy_broker did not start: " + process->errors());
        const std::string out = process->output();
        port = static_cast<std::uint16_t>(std::stoi(out.substr(out.find(line) + line.size())));
    }
    std::string url() const { return "mqtt://127.0.0.1:" + std::to_string(port); }

    std::unique_ptr<harness::test_support::child_process> process;
    std::uint16_t port = 0;
};

}  // namespace netfuzz_test
