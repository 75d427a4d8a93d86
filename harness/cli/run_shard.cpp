// The --shard and --durations options of `run`: reading recorded durations from earlier JSON
// results and keeping only the scenarios of this shard.
#include "run_shard.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

#include "exit_status.hpp"
#include "harness/reports/json_report.hpp"

namespace harness::cli {

namespace {

/// Reads each --durations file; nullopt (the reason printed) when one cannot be read.
std::optional<runner::duration_table> read_durations(const std::vector<std::string>& files) {
    std::vector<runner::run_result> runs;
    for (const auto& file : files) {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            std::cerr << "mqtt-harness run: --durations " << file << ": cannot open the file\n";
            return std::nullopt;
        }
        std::ostringstream text;
        text << in.rdbuf();
        try {
            runs.push_back(reports::read_json_report(text.str()));
        } catch (const std::exception& e) {
            std::cerr << "mqtt-harness run: --durations " << file
                      << ": not a JSON result of mqtt-harness run --json: " << e.what() << '\n';
            return std::nullopt;
        }
    }
    return runner::recorded_durations(runs);
}

}  // namespace

void add_shard_options(CLI::App& cmd, shard_arguments& args) {
    auto* shard =
        cmd.add_option("--shard", args.shard,
                       "Run only shard K of N (K/N, 1 <= K <= N) of the selected scenarios: "
                       "every scenario falls in exactly one shard, the same one whatever the "
                       "order of the paths")
            ->check(CLI::Validator(
                [](std::string& text) {
                    std::string error;
                    return runner::parse_shard(text, error) ? std::string() : error;
                },
                "K/N"));
    cmd.add_option("--durations", args.durations,
                   "Balance the shards by the durations recorded in this result of --json "
                   "(repeatable; scenarios not in it count as the median)")
        ->needs(shard);
}

int apply_shard(const shard_arguments& args, const runner::selection& which,
                std::vector<scenario::scenario_file>& files, std::optional<chosen_shard>& chosen) {
    if (args.shard.empty())
        return exit_status::ok;
    std::string error;
    const auto spec = runner::parse_shard(args.shard, error);
    if (!spec) {
        std::cerr << "mqtt-harness run: --shard: " << error << '\n';
        return exit_status::usage;
    }
    std::optional<runner::duration_table> durations;
    if (!args.durations.empty()) {
        durations = read_durations(args.durations);
        if (!durations)
            return exit_status::usage;
    }
    struct place {
        std::size_t file, scenario;
    };
    std::vector<place> places;
    std::vector<std::string> identities;
    for (std::size_t f = 0; f < files.size(); ++f)
        for (std::size_t s = 0; s < files[f].scenarios.size(); ++s)
            if (const auto& sc = files[f].scenarios[s]; which.selects(sc)) {
                places.push_back({f, s});
                identities.push_back(runner::scenario_identity(sc.file, sc.name));
            }
    const auto members =
        runner::shard_members(identities, *spec, durations ? &*durations : nullptr);

    std::vector<std::vector<bool>> keep(files.size());
    for (std::size_t f = 0; f < files.size(); ++f)
        keep[f].assign(files[f].scenarios.size(), false);
    for (const auto i : members)
        keep[places[i].file][places[i].scenario] = true;
    std::vector<scenario::scenario_file> kept;
    for (std::size_t f = 0; f < files.size(); ++f) {
        scenario::scenario_file file{files[f].path, files[f].suite_name, {}};
        for (std::size_t s = 0; s < files[f].scenarios.size(); ++s)
            if (keep[f][s])
                file.scenarios.push_back(std::move(files[f].scenarios[s]));
        if (!file.scenarios.empty())
            kept.push_back(std::move(file));
    }
    files = std::move(kept);
    chosen = chosen_shard{*spec, identities.size(), members.size()};
    return exit_status::ok;
}

std::string shard_note(const chosen_shard& shard) {
    const std::string head = "shard " + shard.spec.label() + ": ";
    if (shard.members == 0)
        return head + "no scenario of the " + std::to_string(shard.selected) +
               " selected falls in this shard; nothing to run";
    return head + std::to_string(shard.members) + " of " + std::to_string(shard.selected) +
           " selected scenarios";
}

run_properties shard_properties(const std::optional<chosen_shard>& shard) {
    if (!shard)
        return {};
    return {{"shard", shard->spec.label()}};
}

}  // namespace harness::cli
