// Reading saved results and merging runs: inputs told apart by their first character, JSON read
// back with the JSON reporter's reader, JUnit XML checked with pugixml (merged in junit_merge).
#include "report_merge.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <boost/system/system_error.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "harness/reports/json_report.hpp"
#include "harness/runner/shard.hpp"

namespace harness::cli {

namespace {

using runner::run_result;
using runner::scenario_result;
using clock_type = std::chrono::system_clock;

std::string normal_path(const std::string& file) {
    std::string path = std::filesystem::path(file).lexically_normal().generic_string();
    while (path.starts_with("./"))
        path.erase(0, 2);
    return path;
}

void join_distinct(std::string& joined, const std::string& value) {
    if (value.empty())
        return;
    std::string_view rest = joined;
    while (!rest.empty()) {
        const auto comma = rest.find(", ");
        if (rest.substr(0, comma) == value)
            return;
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 2);
    }
    joined += (joined.empty() ? "" : ", ") + value;
}

}  // namespace

loaded_report load_report(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error(path + ": cannot open the file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (in.bad())
        throw std::runtime_error(path + ": cannot read the file");
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        throw std::runtime_error(path + ": the file is empty");
    loaded_report report;
    report.path = path;
    if (text[first] == '<') {
        pugi::xml_document doc;
        const auto parsed = doc.load_string(text.c_str());
        if (!parsed)
            throw std::runtime_error(path + ": not well-formed XML: " + parsed.description() +
                                     " at byte " + std::to_string(parsed.offset));
        const auto root = doc.document_element();
        if (std::string_view(root.name()) != "testsuites" &&
            std::string_view(root.name()) != "testsuite")
            throw std::runtime_error(path + ": not JUnit XML (the root element is <" + root.name() +
                                     ">, not <testsuites>)");
        report.junit = std::move(text);
        return report;
    }
    try {
        report.run = reports::read_json_report(text);
        report.properties = json_report_properties(text);
    } catch (const boost::system::system_error& e) {  // JSON syntax: the message, not where
        throw std::runtime_error(path + ": not a JSON result of mqtt-harness run --json (" +
                                 e.code().message() + ")");
    } catch (const std::exception& e) {
        throw std::runtime_error(path + ": not a JSON result of mqtt-harness run --json (" +
                                 e.what() + ")");
    }
    return report;
}

run_result merge_runs(const std::vector<run_result>& runs, std::vector<std::string>& warnings) {
    run_result merged;
    clock_type::time_point end{};
    std::set<std::uint64_t> seeds;
    for (const auto& run : runs) {
        if (run.started != clock_type::time_point{}) {
            if (merged.started == clock_type::time_point{} || run.started < merged.started)
                merged.started = run.started;
            const auto run_end =
                run.started + std::chrono::duration_cast<clock_type::duration>(
                                  std::chrono::duration<double>(std::max(0.0, run.seconds)));
            end = std::max(end, run_end);
        }
        join_distinct(merged.hostname, run.hostname);
        join_distinct(merged.tool_version, run.tool_version);
        join_distinct(merged.broker, run.broker);
        merged.interrupted = merged.interrupted || run.interrupted;
        seeds.insert(run.seed);
        for (const auto& s : run.scenarios)
            merged.scenarios.push_back(s);
    }
    if (!runs.empty())
        merged.seed = runs.front().seed;
    if (seeds.size() > 1)
        warnings.push_back(
            "the inputs were run with different seeds; the merged report gives "
            "the first one's (" +
            std::to_string(merged.seed) +
            "); run every shard with the same --seed to repeat them together");
    merged.seconds = std::chrono::duration<double>(end - merged.started).count();
    if (merged.started == clock_type::time_point{})
        merged.seconds = 0;

    std::stable_sort(merged.scenarios.begin(), merged.scenarios.end(),
                     [](const scenario_result& a, const scenario_result& b) {
                         return std::forward_as_tuple(normal_path(a.file), a.name, a.attempt) <
                                std::forward_as_tuple(normal_path(b.file), b.name, b.attempt);
                     });
    for (std::size_t i = 1; i < merged.scenarios.size(); ++i) {
        const auto& a = merged.scenarios[i - 1];
        const auto& b = merged.scenarios[i];
        if (normal_path(a.file) == normal_path(b.file) && a.name == b.name &&
            a.attempt == b.attempt)
            warnings.push_back("\"" + runner::scenario_identity(b.file, b.name) + "\" (attempt " +
                               std::to_string(b.attempt) +
                               ") is in more than one input; each is kept");
    }
    return merged;
}

void check_shards(const std::vector<std::string>& shards, const std::vector<std::string>& paths,
                  std::vector<std::string>& warnings) {
    if (std::all_of(shards.begin(), shards.end(), [](const auto& s) { return s.empty(); }))
        return;
    std::map<unsigned, std::vector<std::string>> seen;
    std::set<unsigned> totals;
    std::size_t unknown = 0;
    for (std::size_t i = 0; i < shards.size(); ++i) {
        if (shards[i] == "?") {
            ++unknown;
            continue;
        }
        std::string error;
        const auto spec = runner::parse_shard(shards[i], error);
        if (!spec) {
            warnings.push_back(paths[i] + " is not the result of a sharded run (no valid shard)");
            continue;
        }
        totals.insert(spec->total);
        seen[spec->index].push_back(paths[i]);
    }
    if (totals.size() > 1) {
        warnings.push_back("the inputs come from runs split into different numbers of shards");
        return;
    }
    if (totals.empty())
        return;
    const unsigned total = *totals.begin();
    std::string missing;
    std::size_t missing_count = 0;
    for (unsigned k = 1; k <= total; ++k) {
        const auto it = seen.find(k);
        if (it == seen.end()) {
            ++missing_count;
            missing +=
                (missing.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(total);
        } else if (it->second.size() > 1) {
            warnings.push_back("shard " + std::to_string(k) + "/" + std::to_string(total) +
                               " is given more than once: " + it->second.front() + ", " +
                               it->second.back());
        }
    }
    if (missing_count > unknown)
        warnings.push_back("shard " + missing +
                           " missing: the merged report lacks their scenarios");
}

}  // namespace harness::cli
