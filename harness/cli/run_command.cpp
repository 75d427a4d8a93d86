// `mqtt-harness run PATHS…`: runs scenario files or folders on the embedded broker (one per
// scenario) or an external one, prints a progress line per scenario and a summary with the
// expected-versus-seen of every failure, and writes JUnit XML, JSON and HTML reports.
// Exit status: 0 all passed, 1 a scenario failed, 2 usage, scenario-file error, broker
// unreachable or a scenario that could not run; 130 when interrupted.
#include <unistd.h>

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <stdexcept>

#include "connection_options.hpp"
#include "embedded_choice.hpp"
#include "exit_status.hpp"
#include "harness/reports/console.hpp"
#include "harness/runner/run_all.hpp"
#include "harness/transport/connect.hpp"
#include "harness/transport/self_signed.hpp"
#include "harness/version.hpp"
#include "report_outputs.hpp"
#include "run_shard.hpp"
#include "scenario_commands.hpp"
#include "scenario_loading.hpp"

namespace harness::cli {

namespace {

struct run_arguments {
    std::vector<std::string> paths;
    std::string broker = "embedded";
    tls_arguments tls;
    report_outputs reports;
    shard_arguments shard;
    std::vector<std::string> patterns;
    std::vector<std::string> tags;
    unsigned jobs = 1;
    std::string timeout = "5s";
    bool fail_fast = false;
    unsigned repeat = 1;
    std::optional<std::uint64_t> seed;
    int verbose = 0;
    bool color = true;
    bool topic_prefix = true;
};

/// Checks that the external broker accepts a TCP (TLS, WebSocket) connection at all, with the
/// command line's TLS settings, so that an unreachable broker is one clear error instead of a
/// failure per scenario.
std::string probe_broker(const transport::broker_url& url, const tls_arguments& tls,
                         std::chrono::milliseconds timeout) {
    boost::asio::io_context io(1);
    auto f = boost::asio::co_spawn(io, transport::connect(url, tls.options(), timeout),
                                   boost::asio::use_future);
    io.run();
    auto r = f.get();
    if (r.s)
        return "";
    // Without TLS options on the command line, a failure at TLS verification alone still means
    // the broker is there: the scenarios' clients may bring their own `tls:`.
    if (r.ec == transport::transport_errc::tls_verify_failed && !tls.given())
        return "";
    return r.message;
}

int run(run_arguments& args) {
    auto timeout = parse_cli_duration(args.timeout);
    if (!timeout) {
        std::cerr << "mqtt-harness run: --timeout " << args.timeout
                  << " is not a duration like 500ms, 5s or 1m\n";
        return exit_status::usage;
    }
    auto files = load_scenarios(args.paths);
    if (!files)
        return exit_status::usage;

    runner::interrupt stop;
    runner::run_all_options o;
    o.base.timeout = *timeout;
    o.base.run_id = new_run_id();
    if (!args.seed) {
        std::random_device rd;
        args.seed = (static_cast<std::uint64_t>(rd()) << 32) | rd();
    }
    o.base.seed = *args.seed;
    o.base.stop = &stop;
    o.base.tls = args.tls.options();
    std::optional<embedded_certificate> certificate;
    if (args.broker.starts_with("embedded")) {
        if (auto problem = use_embedded_broker(args.broker, o.base, certificate);
            !problem.empty()) {
            std::cerr << "mqtt-harness run: " << problem << '\n';
            return exit_status::usage;
        }
    } else {
        std::string error;
        auto url = transport::parse_broker_url(args.broker, error);
        if (!url) {
            std::cerr << "mqtt-harness run: --broker: " << error << '\n';
            return exit_status::usage;
        }
        if (auto problem = probe_broker(*url, args.tls, *timeout); !problem.empty()) {
            std::cerr << "mqtt-harness run: broker unreachable: " << problem << '\n';
            return exit_status::usage;
        }
        o.base.broker = *url;
    }
    o.base.topic_prefix = args.topic_prefix;
    o.jobs = args.jobs;
    o.repeat = args.repeat;
    o.fail_fast = args.fail_fast;
    const bool color = args.color && isatty(STDOUT_FILENO);
    std::mutex out_lock;
    if (args.verbose > 0) {
        o.base.live_trace = [&out_lock](const runner::trace_entry& e) {
            std::lock_guard lock(out_lock);
            std::cout << fmt::format("  +{:.3f}s {:<12} {}\n", e.at, e.actor, e.what);
            std::cout.flush();  // a pipe (CI log, tail -f) sees each line as it happens
        };
    }
    o.on_result = [&](const runner::scenario_result& r) {
        std::lock_guard lock(out_lock);
        reports::print_progress(std::cout, r, color);
        std::cout.flush();
    };
    runner::selection which;
    which.name_patterns = args.patterns;
    which.tags = args.tags;
    std::optional<chosen_shard> shard;
    if (const int status = apply_shard(args.shard, which, *files, shard); status != exit_status::ok)
        return status;

    runner::run_result result;
    {
        signal_watcher watcher(stop);
        result = runner::run_all(*files, which, o);
    }
    result.tool_version = harness::version;
    if (result.scenarios.empty() && !shard)
        std::cout << "no scenario selected\n";
    reports::print_failures(std::cout, result, color);
    reports::print_summary(std::cout, result, color);
    if (shard)
        std::cout << shard_note(*shard) << '\n';

    const int status = write_reports("run", result, args.reports, shard_properties(shard));
    if (result.interrupted)
        return 130;
    if (status != exit_status::ok)
        return status;
    if (result.count(runner::verdict::error) > 0)
        return exit_status::usage;
    if (result.count(runner::verdict::failed) > 0)
        return exit_status::malformed;  // 1: a scenario failed
    return exit_status::ok;
}

}  // namespace

void add_run_command(CLI::App& app) {
    auto args = std::make_shared<run_arguments>();
    auto* cmd = app.add_subcommand(
        "run", "Run scenario files (or every *.yaml under folders) and report the verdicts");
    cmd->add_option("paths", args->paths, "Scenario files or folders")->required();
    cmd->add_option("--broker", args->broker,
                    "embedded (a broker per scenario, the default; embedded:ws, embedded:mqtts, "
                    "embedded:wss for its listener, TLS with a certificate made for the run) "
                    "or a broker URL: "
                    "mqtt://host:port, mqtts://, ws://host:port/path, wss://. Checked first: "
                    "exit 2 when unreachable; without TLS options a broker that fails only TLS "
                    "verification counts as reachable (clients may have their own tls:)")
        ->capture_default_str();
    add_tls_options(*cmd, args->tls, "for clients without their own tls:");
    add_report_output_options(*cmd, args->reports);
    cmd->add_option("-k", args->patterns,
                    "Run scenarios whose name (or file › name) contains this text or matches "
                    "this glob; repeatable");
    cmd->add_option("--tag", args->tags, "Run scenarios with this tag; repeatable");
    cmd->add_option("-j,--jobs", args->jobs, "Scenarios run in parallel")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--timeout", args->timeout,
                    "Default bound of waits (expect, wait_log, readiness, client requests)")
        ->capture_default_str();
    cmd->add_flag("--fail-fast", args->fail_fast, "Start no more scenarios after a failure");
    cmd->add_option("--repeat", args->repeat, "Run each scenario this many times")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    add_shard_options(*cmd, args->shard);
    cmd->add_option("--seed", args->seed, "Seed of {{random}} and {{uuid}} (printed otherwise)");
    cmd->add_flag("-v,--verbose", args->verbose, "Print every packet and event as it happens");
    cmd->add_flag("!--no-color", args->color, "No ANSI colours on a terminal");
    cmd->add_flag("!--no-topic-prefix", args->topic_prefix,
                  "External broker: topics as written, no per-run prefix (to replay a recorded "
                  "scenario against the live system it was recorded from)");
    cmd->callback([args] { throw CLI::RuntimeError(run(*args)); });
}

}  // namespace harness::cli
