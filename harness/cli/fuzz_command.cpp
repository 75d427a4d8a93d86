// `mqtt-harness fuzz`: the network fuzzer against a broker given by URL or started by a command,
// with a progress line, a summary, reproducers under --out and a JUnit report of the findings;
// `mqtt-harness fuzz replay FILE.case`: plays one reproducer again.
// Exit status: 0 no finding (replay: the broker survived), 1 findings (replay: it failed again),
// 2 bad arguments or a broker that cannot be started or reached.
#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>

#include "connection_options.hpp"
#include "exit_status.hpp"
#include "fuzz_command.hpp"
#include "harness/netfuzz/campaign.hpp"
#include "harness/reports/junit.hpp"
#include "harness/version.hpp"
#include "scenario_loading.hpp"

namespace harness::cli {

namespace {

namespace asio = boost::asio;

struct fuzz_arguments {
    std::string broker;
    std::string broker_cmd;
    tls_arguments tls;
    std::string duration = "60s";
    std::optional<std::uint64_t> seed;
    std::uint64_t max_sessions = 0;
    std::size_t max_findings = 0;
    std::string out = "fuzz-findings";
    std::string junit;
    unsigned workers = 64;
    std::string answer_timeout = "50ms";
    std::string hang_timeout = "3s";
    std::uint64_t rss_growth_mib = 256;
    bool keep_retained = false;
    bool keep_sessions = false;
    std::string protocol = "all";
    // replay
    std::string case_file;
    int repeat = 0;
};

constexpr const char* me = "mqtt-harness fuzz";

/// Fills the campaign options shared by fuzzing and replay; false (message printed) on bad ones.
bool campaign_from(const fuzz_arguments& a, netfuzz::campaign_options& o) {
    if (a.broker.empty() && a.broker_cmd.empty()) {
        std::cerr << me << ": give --broker URL, --broker-cmd \"COMMAND {port}\", or both\n";
        return false;
    }
    if (!a.broker_cmd.empty() && a.broker_cmd.find("{port}") == std::string::npos) {
        std::cerr << me << ": --broker-cmd must contain {port}, where the broker's port goes\n";
        return false;
    }
    o.broker_url = a.broker.empty() ? "mqtt://127.0.0.1:{port}" : a.broker;
    o.broker_command = a.broker_cmd;
    o.tls = a.tls.options();
    const auto duration = parse_cli_duration(a.duration);
    const auto answer = parse_cli_duration(a.answer_timeout);
    const auto hang = parse_cli_duration(a.hang_timeout);
    if (!duration || !answer || !hang) {
        std::cerr << me
                  << ": --duration, --answer-timeout and --hang-timeout take durations like "
                     "500ms, 30s or 10m\n";
        return false;
    }
    o.duration = *duration;
    o.answer_timeout = *answer;
    o.hang_timeout = *hang;
    o.rss_growth_bytes = a.rss_growth_mib << 20;
    if (a.keep_retained)
        o.retained_sweep = std::chrono::milliseconds(0);
    if (a.keep_sessions)
        o.session_sweep = std::chrono::milliseconds(0);
    o.workers = a.workers;
    o.max_sessions = a.max_sessions;
    o.max_findings = a.max_findings;
    o.out_dir = a.out;
    if (a.protocol == "3" || a.protocol == "3.1") {
        o.generator.allow_v3_1_1 = o.generator.allow_v5 = false;
    } else if (a.protocol == "4" || a.protocol == "3.1.1") {
        o.generator.allow_v3_1 = o.generator.allow_v5 = false;
    } else if (a.protocol == "5" || a.protocol == "5.0") {
        o.generator.allow_v3_1 = o.generator.allow_v3_1_1 = false;
    } else if (a.protocol != "all") {
        std::cerr << me << ": --protocol " << a.protocol << ": expected 3, 4, 5 or all\n";
        return false;
    }
    return true;
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

runner::run_result junit_of(const netfuzz::campaign_result& r, const std::string& broker,
                            std::uint64_t seed, std::chrono::system_clock::time_point started) {
    runner::run_result run;
    run.started = started;
    run.seconds = r.stats.seconds;
    run.tool_version = harness::version;
    run.broker = broker;
    run.seed = seed;
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0)
        run.hostname = host;
    for (const auto& f : r.findings) {
        runner::scenario_result s;
        s.file = (f.dir / "repro.yaml").string();
        s.suite = "fuzz";
        s.name = fmt::format("[{}] {}", netfuzz::to_string(f.what.kind), f.what.signature);
        s.outcome = runner::verdict::failed;
        s.started = started;
        runner::failure fail;
        fail.message =
            fmt::format("{}: {}", netfuzz::to_string(f.what.kind), first_line(f.what.details));
        fail.expected = "the broker stays up and answers a fresh CONNECT";
        fail.step = "fuzz";
        fail.where = f.dir.string();
        s.fail = std::move(fail);
        double at = 0;
        for (const auto& step : f.what.reproducer.steps)
            s.trace.push_back(
                {at += 0.001, fmt::format("c{}", step.connection), "-> " + step.note});
        runner::component_log log;
        log.name = "broker";
        log.command = broker;
        log.output = f.what.details;
        s.components.push_back(std::move(log));
        run.scenarios.push_back(std::move(s));
    }
    if (r.findings.empty()) {
        runner::scenario_result s;
        s.file = broker;
        s.suite = "fuzz";
        s.name = fmt::format("no finding in {} sessions, {} cases ({:.0f} s)", r.stats.sessions,
                             r.stats.cases, r.stats.seconds);
        s.started = started;
        s.seconds = r.stats.seconds;
        run.scenarios.push_back(std::move(s));
    }
    return run;
}

std::string progress_text(const netfuzz::campaign_stats& s) {
    return fmt::format(
        "{:.0f} s, {} sessions ({:.0f}/s) in {} cases ({:.0f}/s), {} distinct "
        "responses, corpus {}, {} finding(s)",
        s.seconds, s.sessions, s.sessions_per_second(), s.cases, s.cases_per_second(), s.shapes,
        s.corpus, s.findings);
}

int run_fuzz(const fuzz_arguments& a) {
    netfuzz::campaign_options o;
    if (!campaign_from(a, o))
        return exit_status::usage;
    const auto seed = a.seed.value_or(std::random_device{}());
    o.seed = seed;
    bool stop = false;
    o.stop = &stop;
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    const auto broker = a.broker_cmd.empty() ? a.broker : a.broker_cmd;
    netfuzz::campaign_events events;
    auto last_line = std::chrono::steady_clock::now();
    events.progress = [&](const netfuzz::campaign_stats& s) {
        if (tty) {
            std::cerr << "\r\x1b[K" << progress_text(s) << std::flush;
        } else if (std::chrono::steady_clock::now() - last_line >= std::chrono::seconds(10)) {
            last_line = std::chrono::steady_clock::now();
            std::cerr << progress_text(s) << '\n';
        }
    };
    events.note = [&](const std::string& text) {
        std::cerr << (tty ? "\r\x1b[K" : "") << me << ": " << text << '\n';
    };
    events.found = [&](const netfuzz::reported_finding& f) {
        std::cerr << (tty ? "\r\x1b[K" : "")
                  << fmt::format("FINDING {}: {} -> {} ({} steps, {} bytes)\n",
                                 netfuzz::to_string(f.what.kind), f.what.signature, f.dir.string(),
                                 f.what.reproducer.steps.size(), f.what.reproducer.byte_count());
    };
    events.started = [&](const std::string& url) {
        std::cout << fmt::format("{}: the broker answers at {}\n", me, url) << std::flush;
    };
    const auto started = std::chrono::system_clock::now();
    asio::io_context io;
    // Ctrl-C ends the campaign with its summary and reproducers (set up before anything is
    // printed, so that a signal after the first line never kills the run).
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec)
            stop = true;
    });
    std::cout << fmt::format("{}: fuzzing {} for {} with seed {}, {} workers; findings go to {}\n",
                             me, broker, a.duration, seed, o.workers, o.out_dir.string())
              << std::flush;

    auto future = asio::co_spawn(io, netfuzz::run_campaign(o, events), asio::use_future);
    io.run_one();  // the campaign has started
    while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready && io.run_one()) {
    }
    signals.cancel();
    io.run();
    const auto result = future.get();
    if (tty)
        std::cerr << "\r\x1b[K";
    if (!result.error.empty()) {
        std::cerr << me << ": " << result.error << '\n';
        return exit_status::usage;
    }
    const auto& s = result.stats;
    std::cout << fmt::format(
        "{}: {} sessions in {:.1f} s ({:.0f}/s; {} cases, {:.0f}/s, {} waited out), {} distinct "
        "responses, corpus {}; {} finding(s), {} duplicate(s), {} unconfirmed, {} broker "
        "restart(s), {} retained message(s) deleted, swept {} client id(s) with a clean session; "
        "seed {}\n",
        me, s.sessions, s.seconds, s.sessions_per_second(), s.cases, s.cases_per_second(),
        s.stalled, s.shapes, s.corpus, result.findings.size(), s.duplicates, s.unconfirmed,
        s.restarts, s.retained_cleared, s.client_ids_swept, seed);
    for (const auto& f : result.findings)
        std::cout << fmt::format("{}\t{}\t{}\n", netfuzz::to_string(f.what.kind), f.dir.string(),
                                 f.what.signature);
    if (!a.junit.empty()) {
        if (auto ec = reports::write_junit(a.junit, junit_of(result, broker, seed, started))) {
            std::cerr << me << ": cannot write " << a.junit << ": " << ec.message() << '\n';
            return exit_status::usage;
        }
    }
    if (stop)
        return 130;
    return result.findings.empty() ? exit_status::ok : 1;
}

int run_replay(const fuzz_arguments& a) {
    netfuzz::campaign_options o;
    if (!campaign_from(a, o))
        return exit_status::usage;
    std::ifstream in(a.case_file);
    if (!in) {
        std::cerr << me << " replay: cannot read " << a.case_file << '\n';
        return exit_status::usage;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = netfuzz::case_from_text(text.str());
    if (!parsed.value) {
        std::cerr << me << " replay: " << a.case_file << ": " << parsed.error << '\n';
        return exit_status::usage;
    }
    int repeat = a.repeat;
    if (repeat <= 0) {
        // The reproducer says how many rounds it needs ("# repeat: N"), 1 otherwise.
        repeat = 1;
        const auto at = text.str().find("# repeat: ");
        if (at != std::string::npos)
            repeat = std::max(1, std::atoi(text.str().c_str() + at + 10));
    }
    asio::io_context io;
    auto future =
        asio::co_spawn(io, netfuzz::replay_case(o, *parsed.value, repeat), asio::use_future);
    io.run();
    const auto r = future.get();
    if (!r.error.empty()) {
        std::cerr << me << " replay: " << r.error << '\n';
        return exit_status::usage;
    }
    if (r.failed) {
        std::cout << fmt::format("FAILED ({}): {}\n", netfuzz::to_string(r.kind), r.details);
        return 1;
    }
    std::cout << r.details << '\n';
    return exit_status::ok;
}

void add_broker_options(CLI::App& cmd, fuzz_arguments& a) {
    cmd.add_option("--broker", a.broker,
                   "The broker's URL (mqtt://, mqtts://, ws://, wss://); {port} is the port of "
                   "the broker --broker-cmd starts (default with --broker-cmd: "
                   "mqtt://127.0.0.1:{port})");
    cmd.add_option("--broker-cmd", a.broker_cmd,
                   "Shell command starting the broker, {port} replaced by a free port; the "
                   "fuzzer watches it (exit, signals, sanitizer reports, memory) and restarts it");
    add_tls_options(cmd, a.tls, "for every connection");
    cmd.add_option("--hang-timeout", a.hang_timeout,
                   "How long a fresh client may wait for its CONNACK before the broker hangs")
        ->capture_default_str();
    cmd.add_flag("--keep-retained", a.keep_retained,
                 "Leave the retained messages of fuzzed sessions on the broker (by default they "
                 "are deleted every 30 s, or long runs slow down)");
    cmd.add_flag("--keep-sessions", a.keep_sessions,
                 "Leave the sessions of the fuzzed client ids on the broker (by default every "
                 "30 s each id used reconnects with a clean session, or the broker's memory "
                 "grows with their offline queues)");
    cmd.add_option("--rss-growth", a.rss_growth_mib,
                   "Growth of the broker's resident memory (MiB) that counts as a finding")
        ->capture_default_str();
}

}  // namespace

void add_fuzz_command(CLI::App& app) {
    auto a = std::make_shared<fuzz_arguments>();
    auto* cmd = app.add_subcommand(
        "fuzz",
        "Fuzz a broker over the network: model-based MQTT sessions, mutated, on several "
        "connections; crashes, hangs and memory growth minimized into reproducers");
    add_broker_options(*cmd, *a);
    cmd->add_option("--duration", a->duration, "How long to fuzz (30s, 10m, 2h)")
        ->capture_default_str();
    cmd->add_option("--seed", a->seed, "Seed of the run (default: random, printed)");
    cmd->add_option("--max-sessions", a->max_sessions,
                    "Stop after this many sessions (connections opened; 0: no limit)");
    cmd->add_option("--max-findings", a->max_findings,
                    "Stop after this many distinct findings (0: no limit)");
    cmd->add_option("--out", a->out, "Folder for the reproducers, one folder per finding")
        ->capture_default_str();
    cmd->add_option("--junit", a->junit, "Write JUnit XML: a test case per distinct finding");
    cmd->add_option("--workers", a->workers, "Cases played at the same time")
        ->check(CLI::Range(1, 256))
        ->capture_default_str();
    cmd->add_option("--answer-timeout", a->answer_timeout,
                    "How long to wait for the broker's answer to a barrier PINGREQ")
        ->capture_default_str();
    cmd->add_option("--protocol", a->protocol, "Protocol levels to speak: 3, 4, 5 or all")
        ->capture_default_str();
    cmd->callback([a, cmd] {
        if (cmd->got_subcommand("replay"))
            return;
        throw CLI::RuntimeError(run_fuzz(*a));
    });

    auto* replay = cmd->add_subcommand(
        "replay", "Play a reproducer (repro.case) again; exit 1 when the broker fails on it");
    replay->add_option("FILE", a->case_file, "The .case file")->required();
    add_broker_options(*replay, *a);
    replay->add_option("--repeat", a->repeat,
                       "Rounds to play (default: the file's '# repeat:' line, else 1)");
    replay->callback([a] { throw CLI::RuntimeError(run_replay(*a)); });
}

}  // namespace harness::cli
