// Shard selection: "K/N" parsing, scenario identities, recorded durations, and the greedy
// longest-first split (round-robin over sorted identities when every weight is the same).
#include "harness/runner/shard.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <numeric>
#include <utility>

namespace harness::runner {

namespace {

constexpr unsigned max_shards = 10000;

std::optional<unsigned> parse_count(std::string_view text) {
    unsigned value = 0;
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

/// The weight of each identity: its recorded seconds, the median of the known ones when it has
/// none, 1 for all when there is no table or nothing in it matches.
std::vector<double> weights_of(const std::vector<std::string>& identities,
                               const duration_table* durations) {
    std::vector<double> weights(identities.size(), 1.0);
    if (!durations)
        return weights;
    std::vector<double> known;
    std::vector<bool> found(identities.size(), false);
    for (std::size_t i = 0; i < identities.size(); ++i) {
        if (auto it = durations->find(identities[i]); it != durations->end()) {
            weights[i] = it->second > 0 ? it->second : 0.0;
            found[i] = true;
            known.push_back(weights[i]);
        }
    }
    if (known.empty())
        return weights;
    std::sort(known.begin(), known.end());
    const auto mid = known.size() / 2;
    const double median = known.size() % 2 ? known[mid] : (known[mid - 1] + known[mid]) / 2;
    for (std::size_t i = 0; i < identities.size(); ++i)
        if (!found[i])
            weights[i] = median;
    return weights;
}

}  // namespace

std::string shard_spec::label() const {
    return std::to_string(index) + "/" + std::to_string(total);
}

std::optional<shard_spec> parse_shard(std::string_view text, std::string& error) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        error = "\"" + std::string(text) + "\" is not K/N (e.g. 2/4: the second of four shards)";
        return std::nullopt;
    }
    const auto index = parse_count(text.substr(0, slash));
    const auto total = parse_count(text.substr(slash + 1));
    if (!index || !total) {
        error = "\"" + std::string(text) +
                "\" is not K/N with whole numbers K and N (e.g. 2/4: the second of four shards)";
        return std::nullopt;
    }
    if (*total < 1 || *total > max_shards) {
        error = "the number of shards N in \"" + std::string(text) + "\" must be 1 to " +
                std::to_string(max_shards);
        return std::nullopt;
    }
    if (*index < 1 || *index > *total) {
        error = "the shard K in \"" + std::string(text) + "\" must be 1 to " +
                std::to_string(*total) + " (shards are numbered from 1)";
        return std::nullopt;
    }
    return shard_spec{*index, *total};
}

std::string scenario_identity(std::string_view file, std::string_view name) {
    std::string path = std::filesystem::path(file).lexically_normal().generic_string();
    while (path.starts_with("./"))
        path.erase(0, 2);
    return path + " › " + std::string(name);
}

duration_table recorded_durations(const std::vector<run_result>& runs) {
    std::map<std::string, std::pair<double, std::size_t>> sums;
    for (const auto& run : runs)
        for (const auto& s : run.scenarios) {
            if (s.outcome == verdict::skipped)
                continue;
            auto& [seconds, count] = sums[scenario_identity(s.file, s.name)];
            seconds += s.seconds > 0 ? s.seconds : 0.0;
            ++count;
        }
    duration_table out;
    for (const auto& [identity, sum] : sums)
        out.emplace(identity, sum.first / static_cast<double>(sum.second));
    return out;
}

std::vector<unsigned> assign_shards(const std::vector<std::string>& identities, unsigned total,
                                    const duration_table* durations) {
    total = std::max(1u, total);
    const auto weights = weights_of(identities, durations);
    std::vector<std::size_t> order(identities.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    // Equal identities (the same name twice in a file) are interchangeable: whichever of them
    // goes first, each shard gets the same identities.
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (weights[a] != weights[b])
            return weights[a] > weights[b];
        return identities[a] < identities[b];
    });
    std::vector<double> load(total, 0.0);
    std::vector<std::size_t> count(total, 0);
    std::vector<unsigned> shard(identities.size(), 0);
    for (const auto i : order) {
        unsigned best = 0;
        for (unsigned k = 1; k < total; ++k)
            if (load[k] < load[best] || (load[k] == load[best] && count[k] < count[best]))
                best = k;
        shard[i] = best;
        load[best] += weights[i];
        ++count[best];
    }
    return shard;
}

std::vector<std::size_t> shard_members(const std::vector<std::string>& identities,
                                       const shard_spec& shard, const duration_table* durations) {
    const auto assigned = assign_shards(identities, shard.total, durations);
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < assigned.size(); ++i)
        if (assigned[i] + 1 == shard.index)
            members.push_back(i);
    return members;
}

}  // namespace harness::runner
