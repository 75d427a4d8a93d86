// `mqtt-harness broker`: runs the embedded broker in the foreground until SIGINT or SIGTERM.
// Either from the command line (one MQTT listener on --bind:-p, --password-file, --acl-file,
// --allow-anonymous, limits, -v/-vv) or from a Mosquitto-style configuration file (-c FILE:
// listeners with WebSocket and TLS, security globally or per listener, limits, log_type and
// log_dest; see broker-under-test/auth/include/harness/broker/server_config.hpp). It prints one
// "mqtt-harness broker listening on URL" line per listener (port 0 picks a free one) so scripts
// can read the ports.
#include "broker_command.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "broker_log.hpp"
#include "exit_status.hpp"
#include "harness/broker/auth_hooks.hpp"
#include "harness/broker/config_file.hpp"
#include "harness/broker/log_config.hpp"
#include "harness/broker/server.hpp"
#include "harness/broker/server_config.hpp"
#include "harness/version.hpp"

namespace harness::cli {
namespace {

namespace asio = boost::asio;

struct broker_arguments {
    std::string config_file;
    std::string bind = "127.0.0.1";
    int port = 1883;
    int verbosity = 0;
    std::size_t max_queued_messages = 1000;
    int max_inflight = 20;
    unsigned sys_interval = 10;
    std::string password_file;
    std::string acl_file;
    bool allow_anonymous = true;
};

/// What the broker runs with, once the arguments or the configuration file are read.
struct broker_setup {
    broker::server_options options;
    broker::log_plan log;
};

/// Prints each problem of a file as "FILE:LINE: message" (no line for an unreadable file).
template <class Error>
void print_errors(const std::string& path, const std::vector<Error>& errors) {
    for (const auto& e : errors) {
        std::cerr << "mqtt-harness broker: " << path;
        if (e.line != 0)
            std::cerr << ':' << e.line;
        std::cerr << ": " << e.message << '\n';
    }
}

/// Prints "FILE:LINE: error: ..." / "warning: ..." lines; true when there was no error.
bool print_problems(const std::vector<broker::config_problem>& problems) {
    bool ok = true;
    for (const auto& problem : problems) {
        std::cerr << problem.to_string() << '\n';
        ok = ok && problem.level != broker::config_problem::severity::error;
    }
    return ok;
}

/// Orders problems by file (in the order the files first appear) and line, so the parser's and
/// the mapping's problems read as one list.
void sort_by_location(std::vector<broker::config_problem>& problems) {
    std::vector<std::filesystem::path> files;
    for (const auto& problem : problems) {
        if (std::find(files.begin(), files.end(), problem.file) == files.end())
            files.push_back(problem.file);
    }
    const auto rank = [&](const broker::config_problem& problem) {
        return std::pair(std::find(files.begin(), files.end(), problem.file) - files.begin(),
                         problem.line);
    };
    std::stable_sort(problems.begin(), problems.end(),
                     [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
}

/// Loads the password and ACL files into the broker's hooks; false (printed) when one is bad.
bool load_auth(const broker_arguments& args, broker::broker_options& options) {
    options.access.allow_anonymous = args.allow_anonymous;
    if (!args.password_file.empty()) {
        auto users = broker::password_file::load(args.password_file);
        if (!users) {
            print_errors(args.password_file, users.error());
            return false;
        }
        broker::use_password_file(options.access,
                                  std::make_shared<const broker::password_file>(std::move(*users)));
    }
    if (!args.acl_file.empty()) {
        auto acl = broker::acl_file::load(args.acl_file);
        if (!acl) {
            print_errors(args.acl_file, acl.error());
            return false;
        }
        broker::use_acl_file(options.access,
                             std::make_shared<const broker::acl_file>(std::move(*acl)));
    }
    return true;
}

/// The setup from the command line alone; nullopt (printed) for a bad password or ACL file.
std::optional<broker_setup> setup_from_arguments(const broker_arguments& args,
                                                 broker::broker_options base) {
    broker_setup setup;
    auto& listener = setup.options.listeners.at(0);
    listener.bind_address = args.bind;
    listener.port = static_cast<std::uint16_t>(args.port);
    setup.options.broker = std::move(base);
    setup.options.broker.max_queued_messages = args.max_queued_messages;
    setup.options.broker.max_inflight_messages = static_cast<std::uint16_t>(args.max_inflight);
    setup.options.broker.sys_interval = std::chrono::seconds(args.sys_interval);
    if (!load_auth(args, setup.options.broker))
        return std::nullopt;
    setup.log = broker_log::plan_for_verbosity(args.verbosity);
    return setup;
}

/// The setup from the configuration file (-v/-vv add to its logging); every warning printed,
/// nullopt when there is any error (all printed).
std::optional<broker_setup> setup_from_config(const broker_arguments& args,
                                              const broker::broker_options& base) {
    auto loaded = broker::load_config(args.config_file);
    std::vector<broker::config_problem> problems = std::move(loaded.problems);
    const bool unreadable = std::any_of(problems.begin(), problems.end(), [](const auto& p) {
        return p.level == broker::config_problem::severity::error && p.line == 0;
    });
    if (unreadable) {
        print_problems(problems);
        return std::nullopt;
    }
    auto mapped = broker::to_server_options(loaded.config, base);
    problems.insert(problems.end(), mapped.problems.begin(), mapped.problems.end());
    broker_setup setup{std::move(mapped.options), broker::plan_logging(loaded.config, problems)};
    if (args.verbosity >= 1) {
        const auto verbose = broker_log::plan_for_verbosity(args.verbosity);
        setup.log.events = true;
        setup.log.packets = setup.log.packets || verbose.packets;
        setup.log.to_stderr = true;
    }
    sort_by_location(problems);
    if (!print_problems(problems))
        return std::nullopt;
    return setup;
}

int run(const broker_arguments& args) {
    broker::broker_options base;
    base.version_string = std::string("mqtt-harness ") + harness::version;
    const auto setup =
        args.config_file.empty() ? setup_from_arguments(args, base) : setup_from_config(args, base);
    if (!setup)
        return exit_status::usage;  // 2: a bad configuration, password or ACL file
    broker_log log;                 // before the server: the core's sinks point into it
    std::vector<broker::config_problem> log_problems;
    if (!log.open(setup->log, log_problems)) {
        print_problems(log_problems);
        return exit_status::usage;
    }
    asio::io_context io(1);
    std::unique_ptr<broker::server> server;
    try {
        server = std::make_unique<broker::server>(io, setup->options);
    } catch (const std::system_error& e) {
        std::cerr << "mqtt-harness broker: " << e.what() << '\n';
        return exit_status::malformed;  // 1: could not listen
    }
    log.attach(server->core());
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec)
            server->stop();
    });
    server->start();
    for (std::size_t i = 0; i < setup->options.listeners.size(); ++i)
        std::cout << "mqtt-harness broker listening on " << server->url(i) << '\n';
    std::cout << std::flush;
    io.run();
    return exit_status::ok;
}

}  // namespace

void add_broker_command(CLI::App& app) {
    auto args = std::make_shared<broker_arguments>();
    auto* cmd = app.add_subcommand(
        "broker", "Run the embedded MQTT broker (a TCP listener, or the listeners of -c FILE)");
    auto* config = cmd->add_option(
        "-c,--config-file", args->config_file,
        "Mosquitto-style configuration file: listeners (mqtt, websockets, TLS), security, "
        "limits, logging");
    std::vector<CLI::Option*> covered_by_config;
    covered_by_config.push_back(
        cmd->add_option("-p,--port", args->port, "TCP port; 0 picks a free one (default 1883)")
            ->check(CLI::Range(0, 65535)));
    covered_by_config.push_back(
        cmd->add_option("--bind", args->bind, "Address to listen on (default 127.0.0.1)"));
    cmd->add_flag("-v,--verbose", args->verbosity,
                  "-v: log connections and refusals; -vv: every packet too");
    covered_by_config.push_back(
        cmd->add_option("--max-queued-messages", args->max_queued_messages,
                        "Messages queued per client beyond the in-flight window (default 1000)"));
    covered_by_config.push_back(
        cmd->add_option("--max-inflight-messages", args->max_inflight,
                        "Outgoing QoS 1/2 messages in flight per client (default 20)")
            ->check(CLI::Range(1, 65535)));
    covered_by_config.push_back(
        cmd->add_option("--sys-interval", args->sys_interval,
                        "Seconds between $SYS/broker/... updates; 0: none (default 10)")
            ->check(CLI::Range(0u, 86400u)));
    covered_by_config.push_back(
        cmd->add_option("--password-file", args->password_file,
                        "Mosquitto password file (mosquitto_passwd): users must log in with one of "
                        "its user names and passwords"));
    covered_by_config.push_back(cmd->add_option(
        "--acl-file", args->acl_file,
        "Mosquitto ACL file: publishing and receiving are checked against it "
        "(subscriptions are granted and filtered per message, as Mosquitto 2.0 does)"));
    covered_by_config.push_back(
        cmd->add_option("--allow-anonymous", args->allow_anonymous,
                        "Accept clients without a user name: true or false (default true, even "
                        "with a password file)"));
    // With -c the file decides listeners, security and limits: the options it covers are
    // refused rather than silently overriding (or being overridden by) it.
    for (auto* option : covered_by_config)
        config->excludes(option);
    cmd->footer(
        "-c FILE reads mosquitto.conf's listener (port, bind address, protocol mqtt|websockets, "
        "cafile, certfile, keyfile, require_certificate, use_identity_as_username), "
        "per_listener_settings, allow_anonymous (default false), password_file, acl_file, "
        "max_packet_size, max_inflight_messages, max_queued_messages, max_queued_bytes, "
        "retain_available, max_qos, max_keepalive, sys_interval, log_type, log_dest, "
        "include_dir; other options are warnings (FILE:LINE: warning: ...), errors are all "
        "printed and nothing starts. -c excludes -p, --bind and the security and limit options; "
        "-v/-vv add to its logging. Prints one 'mqtt-harness broker listening on URL' line per "
        "listener. Stops on SIGINT or SIGTERM. Exit status: 0 stopped; 1 could not listen; 2 "
        "bad options or a bad configuration, password or ACL file.");
    cmd->callback([args] {
        const int status = run(*args);
        if (status != exit_status::ok)
            throw CLI::RuntimeError(status);
    });
}

}  // namespace harness::cli
