// `mqtt-harness stand-in FILE --broker URL [--duration D] [-k NAME]`: plays the stand-ins of a
// scenario against a live broker, logging each reaction, until the duration ends or Ctrl-C: the
// component that is not built yet, for people testing the ones that are.
#include <fmt/format.h>
#include <iostream>

#include "connection_options.hpp"
#include "exit_status.hpp"
#include "harness/runner/run_all.hpp"
#include "scenario_commands.hpp"
#include "scenario_loading.hpp"

namespace harness::cli {

namespace {

struct stand_in_arguments {
    std::string file;
    std::string broker;
    tls_arguments tls;
    std::string duration = "0s";
    std::vector<std::string> patterns;
    std::string timeout = "5s";
};

int run(const stand_in_arguments& args) {
    auto duration = parse_cli_duration(args.duration);
    auto timeout = parse_cli_duration(args.timeout);
    if (!duration || !timeout) {
        std::cerr << "mqtt-harness stand-in: --duration and --timeout take durations like 500ms, "
                     "30s or 5m\n";
        return exit_status::usage;
    }
    std::string error;
    auto url = transport::parse_broker_url(args.broker, error);
    if (!url) {
        std::cerr << "mqtt-harness stand-in: --broker: " << error << '\n';
        return exit_status::usage;
    }
    auto files = load_scenarios({args.file});
    if (!files)
        return exit_status::usage;
    runner::selection which;
    which.name_patterns = args.patterns;
    std::vector<const scenario::scenario*> chosen;
    for (const auto& f : *files)
        for (const auto& s : f.scenarios)
            if (which.selects(s) && !s.stand_ins.empty())
                chosen.push_back(&s);
    if (chosen.size() != 1) {
        std::cerr << "mqtt-harness stand-in: "
                  << (chosen.empty() ? "no scenario with stand-ins selected"
                                     : "several scenarios have stand-ins; choose one with -k:")
                  << '\n';
        for (const auto* s : chosen)
            std::cerr << "  " << s->name << '\n';
        return exit_status::usage;
    }
    runner::interrupt stop;
    runner::run_options o;
    o.broker = *url;
    o.tls = args.tls.options();
    o.timeout = *timeout;
    o.run_id = new_run_id();
    o.stop = &stop;
    signal_watcher watcher(stop);
    auto problem = runner::run_stand_ins(*chosen.front(), o, *duration,
                                         [](const std::string& l) { std::cout << l << std::endl; });
    if (!problem.empty()) {
        std::cerr << "mqtt-harness stand-in: " << problem << '\n';
        return exit_status::usage;
    }
    return exit_status::ok;
}

}  // namespace

void add_stand_in_command(CLI::App& app) {
    auto args = std::make_shared<stand_in_arguments>();
    auto* cmd = app.add_subcommand(
        "stand-in", "Play a scenario's stand-ins against a live broker until stopped");
    cmd->add_option("file", args->file, "Scenario file")->required();
    cmd->add_option("--broker", args->broker, "Broker URL (mqtt://, mqtts://, ws://, wss://)")
        ->required();
    add_tls_options(*cmd, args->tls, "for clients without their own tls:");
    cmd->add_option("--duration", args->duration, "Stop after this long (0s: until Ctrl-C)")
        ->capture_default_str();
    cmd->add_option("-k", args->patterns, "Which scenario, when the file has several");
    cmd->add_option("--timeout", args->timeout, "Bound of connects and requests")
        ->capture_default_str();
    cmd->callback([args] { throw CLI::RuntimeError(run(*args)); });
}

}  // namespace harness::cli
