// `mqtt-harness conformance`: checks a broker (the embedded one by default) against the MQTT
// 3.1.1 and 5.0 specifications: the capability probe, then every check of
// scenarios/conformance/checks/, a line per check, the failures with the statement they
// verify and the packet trace, a summary per specification section, JUnit XML and JSON.
// `--coverage` prints which statements have checks instead.
// Exit status: 0 no check failed, 1 a check failed, 2 usage, bad check files or broker
// unreachable, 3 no failure but inconclusive checks; 130 when interrupted.
#include <unistd.h>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <map>
#include <mutex>

#include "connection_options.hpp"
#include "embedded_choice.hpp"
#include "exit_status.hpp"
#include "harness/broker/server.hpp"
#include "harness/conformance/suite.hpp"
#include "harness/reports/atomic_file.hpp"
#include "harness/reports/console.hpp"
#include "harness/reports/junit.hpp"
#include "harness/version.hpp"
#include "scenario_commands.hpp"
#include "scenario_loading.hpp"

namespace harness::cli {

namespace {

namespace json = boost::json;
using conformance::outcome;

struct conformance_arguments {
    std::string broker = "embedded";
    tls_arguments tls;
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::string protocol = "all";
    std::vector<std::string> only;
    std::string junit;
    std::string json_file;
    unsigned jobs = 4;
    std::string timeout = "2s";
    std::string checks;
    bool coverage = false;
    int verbose = 0;
    bool color = true;
};

void print_coverage(std::ostream& out, const conformance::suite& s) {
    for (const auto& spec : s.specs) {
        const auto c = conformance::coverage_of(spec);
        out << fmt::format("MQTT {}: {} statements, {} observable, {} with a check\n", c.spec,
                           c.statements, c.observable, c.checked);
        out << fmt::format("  {:<10} {:>10} {:>10} {:>8}  {}\n", "section", "statements",
                           "observable", "checked", "observable without a check");
        for (const auto& sc : c.sections) {
            std::string missing;
            for (const auto& id : sc.unchecked_observable)
                missing += (missing.empty() ? "" : " ") + id;
            out << fmt::format("  {:<10} {:>10} {:>10} {:>8}  {}\n", sc.section, sc.statements,
                               sc.observable, sc.checked, missing);
        }
        out << '\n';
    }
}

/// Statement verdicts counted per section, per spec.
void print_sections(std::ostream& out, const conformance::conformance_result& r) {
    struct counts {
        std::size_t pass = 0, fail = 0, na = 0, inconclusive = 0;
    };
    std::string spec;
    std::vector<std::pair<std::string, counts>> rows;
    const auto flush = [&] {
        if (rows.empty())
            return;
        out << fmt::format("MQTT {} statements by section\n", spec);
        out << fmt::format("  {:<10} {:>5} {:>5} {:>5} {:>13}\n", "section", "pass", "fail", "n/a",
                           "inconclusive");
        for (const auto& [section, c] : rows)
            out << fmt::format("  {:<10} {:>5} {:>5} {:>5} {:>13}\n", section, c.pass, c.fail, c.na,
                               c.inconclusive);
        rows.clear();
    };
    for (const auto& v : r.statements) {
        if (v.spec != spec) {
            flush();
            spec = v.spec;
        }
        const std::string section = v.about ? v.about->section : "?";
        if (rows.empty() || rows.back().first != section)
            rows.emplace_back(section, counts{});
        auto& c = rows.back().second;
        switch (v.verdict) {
            case outcome::pass:
                ++c.pass;
                break;
            case outcome::fail:
                ++c.fail;
                break;
            case outcome::not_applicable:
                ++c.na;
                break;
            default:
                ++c.inconclusive;
        }
    }
    flush();
}

void print_failed_checks(std::ostream& out, const conformance::conformance_result& r,
                         const conformance::suite& s, bool color) {
    for (const auto& c : r.checks) {
        if (c.verdict != outcome::fail && c.verdict != outcome::inconclusive)
            continue;
        reports::print_failure(out, c.run, color);
        for (const auto& id : c.statements) {
            for (const auto& spec : s.specs) {
                if (spec.spec != c.spec)
                    continue;
                if (const auto* st = spec.statements.find(id))
                    out << fmt::format("  [{}] (MQTT {} {}) {}\n", id, c.spec, st->section,
                                       st->summary);
            }
        }
        out << '\n';
    }
}

std::string json_report(const conformance::conformance_result& r, const std::string& broker) {
    json::object root;
    root["tool_version"] = harness::version;
    root["broker"] = broker;
    json::array caps;
    for (const auto& name : r.caps.names())
        caps.push_back(json::string(name));
    root["capabilities"] = std::move(caps);
    root["capability_summary"] = conformance::describe(r.caps);
    json::array checks;
    for (const auto& c : r.checks) {
        json::object o;
        o["name"] = c.run.name;
        o["file"] = c.run.file;
        o["spec"] = c.spec;
        json::array ids;
        for (const auto& id : c.statements)
            ids.push_back(json::string(id));
        o["statements"] = std::move(ids);
        o["verdict"] = std::string(conformance::to_string(c.verdict));
        o["seconds"] = c.run.seconds;
        if (!c.reason.empty())
            o["reason"] = c.reason;
        if (c.run.fail)
            o["message"] = c.run.fail->message;
        if (c.verdict == outcome::fail || c.verdict == outcome::inconclusive) {
            json::array trace;
            for (const auto& t : c.run.trace)
                trace.push_back(json::string(fmt::format("+{:.3f}s {} {}", t.at, t.actor, t.what)));
            o["trace"] = std::move(trace);
        }
        checks.push_back(std::move(o));
    }
    root["checks"] = std::move(checks);
    json::array statements;
    for (const auto& v : r.statements) {
        json::object o;
        o["id"] = v.about ? v.about->id : "";
        o["spec"] = v.spec;
        o["section"] = v.about ? v.about->section : "";
        o["verdict"] = std::string(conformance::to_string(v.verdict));
        statements.push_back(std::move(o));
    }
    root["statements"] = std::move(statements);
    json::object totals;
    totals["pass"] = r.count(outcome::pass);
    totals["fail"] = r.count(outcome::fail);
    totals["not_applicable"] = r.count(outcome::not_applicable);
    totals["inconclusive"] = r.count(outcome::inconclusive);
    root["totals"] = std::move(totals);
    return json::serialize(root) + "\n";
}

int run(conformance_arguments& args) {
    const char* me = "mqtt-harness conformance";
    const auto timeout = parse_cli_duration(args.timeout);
    if (!timeout) {
        std::cerr << me << ": --timeout " << args.timeout
                  << " is not a duration like 500ms, 2s or 1m\n";
        return exit_status::usage;
    }
    conformance::selection which;
    if (args.protocol == "4" || args.protocol == "3.1.1")
        which.protocol = 4;
    else if (args.protocol == "5" || args.protocol == "5.0")
        which.protocol = 5;
    else if (args.protocol != "all") {
        std::cerr << me << ": --protocol " << args.protocol << ": expected 4, 5 or all\n";
        return exit_status::usage;
    }
    which.only = args.only;
    const auto dir =
        args.checks.empty() ? conformance::default_suite_dir() : std::filesystem::path(args.checks);
    auto loaded = conformance::load_suite(dir);
    if (!loaded.errors.empty()) {
        for (const auto& e : loaded.errors)
            std::cerr << e << '\n';
        std::cerr << me << ": " << loaded.errors.size() << " problem(s) in the checks under "
                  << dir.string() << '\n';
        return exit_status::usage;
    }
    if (args.coverage) {
        print_coverage(std::cout, loaded.loaded);
        return exit_status::ok;
    }

    runner::interrupt stop;
    runner::run_all_options o;
    o.base.timeout = *timeout;
    o.base.run_id = new_run_id();
    o.base.stop = &stop;
    o.base.tls = args.tls.options();
    o.base.username = args.username;
    o.base.password = args.password;
    o.jobs = args.jobs;

    // The probe asks the broker under test; for the embedded broker, one started for it (each
    // check then gets a fresh embedded broker of its own).
    conformance::probe_options probe;
    probe.tls = args.tls.options();
    probe.username = args.username;
    probe.password = args.password;
    probe.timeout = *timeout;
    probe.client_id_prefix = "mqtt-harness-probe-" + o.base.run_id;
    std::string broker_name = args.broker;
    std::unique_ptr<broker::embedded_broker> embedded;
    std::optional<embedded_certificate> certificate;
    std::string error;
    if (args.broker.starts_with("embedded")) {
        if (auto problem = use_embedded_broker(args.broker, o.base, certificate);
            !problem.empty()) {
            std::cerr << me << ": " << problem << '\n';
            return exit_status::usage;
        }
        probe.tls = o.base.tls;
        embedded = std::make_unique<broker::embedded_broker>(
            runner::embedded_server_options(o.base.embedded));
        probe.url = transport::parse_broker_url(embedded->url(0), error).value();
    } else {
        auto url = transport::parse_broker_url(args.broker, error);
        if (!url) {
            std::cerr << me << ": --broker: " << error << '\n';
            return exit_status::usage;
        }
        probe.url = *url;
        o.base.broker = *url;
        broker_name = url->to_string();
    }
    const auto probed = conformance::probe_broker(probe);
    embedded.reset();
    if (!probed) {
        std::cerr << me << ": broker unreachable: " << probed.message << '\n';
        return exit_status::usage;
    }
    const bool color = args.color && isatty(STDOUT_FILENO);
    std::cout << "Broker " << broker_name << '\n' << conformance::describe(probed.caps) << '\n';

    std::mutex out_lock;
    if (args.verbose > 0) {
        o.base.live_trace = [&out_lock](const runner::trace_entry& e) {
            std::lock_guard lock(out_lock);
            std::cout << fmt::format("  +{:.3f}s {:<12} {}\n", e.at, e.actor, e.what);
            std::cout.flush();
        };
    }
    o.on_result = [&](const runner::scenario_result& r) {
        std::lock_guard lock(out_lock);
        reports::print_progress(std::cout, r, color);
        std::cout.flush();
    };
    conformance::conformance_result result;
    {
        signal_watcher watcher(stop);
        result = conformance::run_suite(loaded.loaded, which, probed.caps, o);
    }
    result.run.tool_version = harness::version;
    result.run.broker = broker_name;
    for (const auto& c : result.checks) {
        if (c.verdict == outcome::not_applicable)
            reports::print_progress(std::cout, c.run, color);
    }
    std::cout << '\n';
    print_failed_checks(std::cout, result, loaded.loaded, color);
    print_sections(std::cout, result);
    std::size_t statement_fail = 0, statement_pass = 0;
    for (const auto& v : result.statements) {
        statement_fail += v.verdict == outcome::fail ? 1 : 0;
        statement_pass += v.verdict == outcome::pass ? 1 : 0;
    }
    std::cout << fmt::format(
        "\n{} checks: {} pass, {} fail, {} not applicable, {} inconclusive in {:.2f} s\n"
        "{} statements: {} pass, {} fail\n",
        result.checks.size(), result.count(outcome::pass), result.count(outcome::fail),
        result.count(outcome::not_applicable), result.count(outcome::inconclusive),
        result.run.seconds, result.statements.size(), statement_pass, statement_fail);

    int status = exit_status::ok;
    if (!args.junit.empty()) {
        if (auto ec = reports::write_junit(args.junit, result.run)) {
            std::cerr << me << ": cannot write " << args.junit << ": " << ec.message() << '\n';
            status = exit_status::usage;
        }
    }
    if (!args.json_file.empty()) {
        if (auto ec =
                reports::write_file_atomically(args.json_file, json_report(result, broker_name))) {
            std::cerr << me << ": cannot write " << args.json_file << ": " << ec.message() << '\n';
            status = exit_status::usage;
        }
    }
    if (result.run.interrupted)
        return 130;
    if (status != exit_status::ok)
        return status;
    if (result.count(outcome::fail) > 0)
        return exit_status::malformed;  // 1: a check failed
    if (result.count(outcome::inconclusive) > 0)
        return 3;
    return exit_status::ok;
}

}  // namespace

void add_conformance_command(CLI::App& app) {
    auto args = std::make_shared<conformance_arguments>();
    auto* cmd = app.add_subcommand(
        "conformance",
        "Check a broker against the MQTT 3.1.1 and 5.0 specifications, statement by statement");
    cmd->add_option("--broker", args->broker,
                    "embedded (the default; embedded:ws, embedded:mqtts, embedded:wss for its "
                    "listener) or a broker URL: mqtt://host:port, mqtts://, ws://host:port/path, "
                    "wss://")
        ->capture_default_str();
    add_tls_options(*cmd, args->tls, "for every connection");
    cmd->add_option("-u,--username", args->username, "User name of every CONNECT that gives none");
    cmd->add_option("-P,--password", args->password, "Password that goes with --username");
    cmd->add_option("--protocol", args->protocol, "4 (3.1.1), 5 or all")->capture_default_str();
    cmd->add_option("--only", args->only,
                    "Run checks verifying this statement id (MQTT-3.1.0-2), or whose name "
                    "contains this text or matches this glob; repeatable");
    cmd->add_option("--junit", args->junit, "Write JUnit XML (a test case per check)");
    cmd->add_option("--json", args->json_file,
                    "Write the verdicts per check and per statement as JSON");
    cmd->add_option("-j,--jobs", args->jobs, "Checks run in parallel")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--timeout", args->timeout, "Default bound of each wait of a check")
        ->capture_default_str();
    cmd->add_option("--checks", args->checks,
                    "Folder of the suite (statements/ and checks/); default: "
                    "$MQTT_HARNESS_CONFORMANCE_DIR or the bundled one");
    cmd->add_flag("--coverage", args->coverage,
                  "Print, per specification section, the statements with and without a check");
    cmd->add_flag("-v,--verbose", args->verbose, "Print every packet and event as it happens");
    cmd->add_flag("!--no-color", args->color, "No ANSI colours on a terminal");
    cmd->callback([args] { throw CLI::RuntimeError(run(*args)); });
}

}  // namespace harness::cli
