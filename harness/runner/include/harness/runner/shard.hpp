// Splitting the selected scenarios of a run into N shards, one per CI job: which scenarios shard
// K of N runs. Pure: identities in, shard members out; the same inputs give the same split on
// every machine, whatever order the scenario paths were given in.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/runner/result.hpp"

namespace harness::runner {

/// Shard `index` of `total`, 1 <= index <= total.
struct shard_spec {
    unsigned index = 1;
    unsigned total = 1;

    /// "2/4".
    std::string label() const;
};

/// Reads "K/N" (decimal, 1 <= K <= N, N at most 10000); nullopt with `error` set to a sentence
/// naming the problem otherwise.
std::optional<shard_spec> parse_shard(std::string_view text, std::string& error);

/// A scenario's identity for sharding and recorded durations: "file › name", the file path
/// normalized lexically (no "./", no "a/../").
std::string scenario_identity(std::string_view file, std::string_view name);

/// Seconds per scenario identity, from earlier runs.
using duration_table = std::map<std::string, double>;

/// The mean duration of every scenario of `runs` (over its attempts and the runs it appears in).
/// Skipped scenarios do not count (they took no time that says anything).
duration_table recorded_durations(const std::vector<run_result>& runs);

/// For each of `identities`, the shard (0-based, < total) it belongs to.
///
/// Without `durations`, every scenario weighs the same and the identities, sorted, are dealt
/// round-robin: shard sizes differ by at most one. With `durations`, each weighs its recorded
/// seconds (identities not in the table weigh the median of those that are, 1 when none is)
/// and the heaviest is placed first, each on the least loaded shard (ties: heavier first, then
/// identity order; equal loads: the shard with fewer scenarios, then the lower one). Either way the
/// loads of any two shards differ by at most the heaviest weight, and the result depends only on
/// the multiset of identities.
std::vector<unsigned> assign_shards(const std::vector<std::string>& identities, unsigned total,
                                    const duration_table* durations = nullptr);

/// The positions in `identities` of the members of `shard`, in ascending order.
std::vector<std::size_t> shard_members(const std::vector<std::string>& identities,
                                       const shard_spec& shard,
                                       const duration_table* durations = nullptr);

}  // namespace harness::runner
