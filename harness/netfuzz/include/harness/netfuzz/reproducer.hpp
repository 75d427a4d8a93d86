// A finding on disk: a directory per finding under the output directory holding the case as
// text (`repro.case`, what `fuzz replay` reads), the raw bytes each connection sent
// (`conn0.bin`, ...), a scenario that `mqtt-harness run` replays (`repro.yaml`: raw clients send
// the bytes, then a fresh client must still get a CONNACK) and `finding.txt` (kind, signature,
// the broker's report).
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "harness/netfuzz/fuzz_case.hpp"

namespace harness::netfuzz {

enum class finding_kind { crash, hang, memory };
std::string_view to_string(finding_kind k) noexcept;  // "crash", "hang", "memory"

struct finding {
    finding_kind kind = finding_kind::crash;
    std::string signature;           // what findings are deduplicated by
    fuzz_case reproducer;            // minimized
    std::string details;             // sanitizer report, exit status, RSS figures, hang point
    std::size_t original_steps = 0;  // before minimizing
    std::size_t original_bytes = 0;
    /// How often the reproducer must be played in a row (on fresh connections, see repeated())
    /// to show the fault: 1 for crashes and hangs; for memory growth, enough rounds to grow past
    /// the threshold. repro.case and the conn<N>.bin files hold one round, repro.yaml all.
    int repeat = 1;
};

/// `<kind>-<8 hex digits of the signature's hash>`: stable across runs for one signature.
std::string finding_dir_name(const finding& f);

/// The YAML scenario replaying `c`: one raw client per connection, `send` steps with the hex of
/// each step in order (a reconnect step opens a new connection first), then a fresh raw client
/// that sends CONNECT and expects a CONNACK within `alive_within_ms`. Passes against a broker that
/// survives the bytes; fails against one that crashed or hangs. `name` names the scenario.
std::string scenario_yaml(const fuzz_case& c, const std::string& name, int alive_within_ms = 5000);

/// Writes the finding's directory under `out_dir` (created as needed), each file whole
/// (written to a temporary name, then renamed). Returns the directory.
std::filesystem::path write_reproducer(const std::filesystem::path& out_dir, const finding& f,
                                       std::error_code& ec);

}  // namespace harness::netfuzz
