// `mqtt-harness report FILE.json [--junit OUT] [--json OUT] [--html OUT]`: a saved result of
// `run --json` printed as `run` ends (failures, summary) and written again as reports.
// `mqtt-harness report merge -o OUT.xml [--json OUT.json] IN...`: the results of the shards of a
// run (JSON, or JUnit XML this tool wrote) joined into one report, as an unsharded run gives.
// Exit status as `run`: 0 all passed, 1 a scenario failed, 2 a scenario could not run, or an
// input that cannot be read, or a report that cannot be written.
#include "report_command.hpp"

#include <unistd.h>

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "exit_status.hpp"
#include "harness/reports/atomic_file.hpp"
#include "harness/reports/console.hpp"
#include "junit_merge.hpp"
#include "report_merge.hpp"
#include "report_outputs.hpp"

namespace harness::cli {

namespace {

struct report_arguments {
    std::string file;
    report_outputs outputs;
    bool color = true;
};

struct merge_arguments {
    std::vector<std::string> inputs;
    report_outputs outputs;
    bool color = true;
};

int verdict_status(std::size_t failed, std::size_t errors) {
    if (errors > 0)
        return exit_status::usage;
    if (failed > 0)
        return exit_status::malformed;  // 1: a scenario failed
    return exit_status::ok;
}

std::string property_of(const run_properties& properties, std::string_view name) {
    for (const auto& [key, value] : properties)
        if (key == name)
            return value;
    return "";
}

/// Where every `report` command ends with a run_result: the console as `run` ends, then the
/// report files. New outputs belong in report_outputs (and write_reports), not here.
int finish(std::string_view command, const runner::run_result& run, const report_outputs& outputs,
           const run_properties& properties, bool color) {
    reports::print_failures(std::cout, run, color);
    reports::print_summary(std::cout, run, color);
    if (const auto shard = property_of(properties, "shard"); !shard.empty())
        std::cout << "shard " << shard << " of a sharded run\n";
    if (const int status = write_reports(command, run, outputs, properties);
        status != exit_status::ok)
        return status;
    return verdict_status(run.count(runner::verdict::failed), run.count(runner::verdict::error));
}

int rerender(const report_arguments& args) {
    if (args.file.empty()) {
        std::cerr << "mqtt-harness report: give a result of run --json to show, or use "
                     "`report merge`\n";
        return exit_status::usage;
    }
    loaded_report input;
    try {
        input = load_report(args.file);
    } catch (const std::exception& e) {
        std::cerr << "mqtt-harness report: " << e.what() << '\n';
        return exit_status::usage;
    }
    if (input.is_junit()) {
        std::cerr << "mqtt-harness report: " << args.file
                  << ": JUnit XML holds less than a JSON result; give the --json result (or "
                     "rewrite JUnit with `report merge -o OUT.xml "
                  << args.file << "`)\n";
        return exit_status::usage;
    }
    const bool color = args.color && isatty(STDOUT_FILENO);
    return finish("report", input.run, args.outputs, input.properties, color);
}

/// Merging when an input is JUnit XML: every input as JUnit, joined by junit_merge.
int merge_as_junit(const merge_arguments& args, const std::vector<loaded_report>& inputs,
                   std::vector<std::string>& warnings) {
    if (!args.outputs.json.empty() || !args.outputs.html.empty()) {
        std::cerr << "mqtt-harness report merge: --json and --html need every input to be a JSON "
                     "result (JUnit XML holds less)\n";
        return exit_status::usage;
    }
    std::vector<std::string> documents, shards, paths;
    for (const auto& input : inputs) {
        documents.push_back(input.is_junit() ? input.junit
                                             : junit_with_properties(input.run, input.properties));
        shards.push_back(input.is_junit() ? junit_shard(input.junit)
                                          : property_of(input.properties, "shard"));
        paths.push_back(input.path);
    }
    check_shards(shards, paths, warnings);
    for (const auto& w : warnings)
        std::cerr << "mqtt-harness report merge: warning: " << w << '\n';
    junit_counts counts;
    const auto xml = merge_junit(documents, counts);
    std::cout << counts.tests << (counts.tests == 1 ? " scenario: " : " scenarios: ")
              << counts.tests - counts.failures - counts.errors - counts.skipped << " passed, "
              << counts.failures << " failed, " << counts.errors
              << (counts.errors == 1 ? " error, " : " errors, ") << counts.skipped
              << " skipped (merged from " << inputs.size() << " reports)\n";
    if (auto ec = reports::write_file_atomically(args.outputs.junit, xml)) {
        std::cerr << "mqtt-harness report merge: cannot write " << args.outputs.junit << ": "
                  << ec.message() << '\n';
        return exit_status::usage;
    }
    return verdict_status(counts.failures, counts.errors);
}

int merge(const merge_arguments& args) {
    if (args.outputs.junit.empty() && args.outputs.json.empty() && args.outputs.html.empty()) {
        std::cerr << "mqtt-harness report merge: name the merged report: -o/--junit OUT.xml, "
                     "--json OUT.json and/or --html OUT.html\n";
        return exit_status::usage;
    }
    std::vector<loaded_report> inputs;
    bool unreadable = false;
    for (const auto& path : args.inputs) {
        try {
            inputs.push_back(load_report(path));
        } catch (const std::exception& e) {
            std::cerr << "mqtt-harness report merge: " << e.what() << '\n';
            unreadable = true;
        }
    }
    if (unreadable)
        return exit_status::usage;
    std::vector<std::string> warnings;
    for (const auto& input : inputs)
        if (input.is_junit())
            return merge_as_junit(args, inputs, warnings);

    std::vector<runner::run_result> runs;
    std::vector<std::string> shards, paths;
    for (auto& input : inputs) {
        runs.push_back(std::move(input.run));
        shards.push_back(property_of(input.properties, "shard"));
        paths.push_back(input.path);
    }
    check_shards(shards, paths, warnings);
    const auto merged = merge_runs(runs, warnings);
    for (const auto& w : warnings)
        std::cerr << "mqtt-harness report merge: warning: " << w << '\n';
    const bool color = args.color && isatty(STDOUT_FILENO);
    return finish("report merge", merged, args.outputs, {}, color);
}

}  // namespace

void add_report_command(CLI::App& app) {
    auto args = std::make_shared<report_arguments>();
    auto* cmd = app.add_subcommand(
        "report",
        "Show a saved result of run --json and write it again as reports, or merge "
        "the results of shards (report merge)");
    cmd->add_option("file", args->file, "A result of run --json");
    add_report_output_options(*cmd, args->outputs);
    cmd->add_flag("!--no-color", args->color, "No ANSI colours on a terminal");
    cmd->require_subcommand(0, 1);

    auto margs = std::make_shared<merge_arguments>();
    auto* merge_cmd = cmd->add_subcommand(
        "merge",
        "Join the results of the shards of a run (JSON results of run --json, or JUnit "
        "XML written by mqtt-harness) into one report, as an unsharded run gives");
    merge_cmd->add_option("inputs", margs->inputs, "Results to merge")->required();
    add_report_output_options(*merge_cmd, margs->outputs, "-o,--junit");
    merge_cmd->add_flag("!--no-color", margs->color, "No ANSI colours on a terminal");
    merge_cmd->callback([margs] { throw CLI::RuntimeError(merge(*margs)); });

    cmd->callback([args, cmd] {
        if (cmd->got_subcommand("merge"))
            return;
        throw CLI::RuntimeError(rerender(*args));
    });
}

}  // namespace harness::cli
