// `run --shard K/N [--durations FILE.json]`: the options, and the run's scenarios reduced to one
// shard of those selected (see harness/runner/shard.hpp for how they are split).
#pragma once

#include <CLI/App.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "harness/runner/run_all.hpp"
#include "harness/runner/shard.hpp"
#include "harness/scenario/model.hpp"
#include "report_outputs.hpp"

namespace harness::cli {

struct shard_arguments {
    std::string shard;                   // "K/N", checked when parsed
    std::vector<std::string> durations;  // earlier --json results
};

/// This run's shard: which one, and how many scenarios were selected before the split.
struct chosen_shard {
    runner::shard_spec spec;
    std::size_t selected = 0;
    std::size_t members = 0;
};

/// Adds --shard (validated: a usage error names what is wrong with K/N) and --durations (needs
/// --shard) to `cmd`.
void add_shard_options(CLI::App& cmd, shard_arguments& args);

/// With --shard, keeps in `files` only the scenarios of this shard among those `which` selects
/// (files left without one are dropped) and sets `chosen`; without, changes nothing. A
/// --durations file that cannot be read is printed as "mqtt-harness run: --durations FILE: why"
/// and gives exit_status::usage; otherwise exit_status::ok.
int apply_shard(const shard_arguments& args, const runner::selection& which,
                std::vector<scenario::scenario_file>& files, std::optional<chosen_shard>& chosen);

/// The console line: "shard 2/4: 3 of 10 selected scenarios", or for an empty shard
/// "shard 4/4: no scenario of the 3 selected falls in this shard; nothing to run".
std::string shard_note(const chosen_shard& shard);

/// The report properties of a sharded run: ("shard", "2/4").
run_properties shard_properties(const std::optional<chosen_shard>& shard);

}  // namespace harness::cli
