// `mqtt-harness broker [-p PORT] [--bind ADDRESS] [--password-file FILE] [--acl-file FILE]
// [--allow-anonymous true|false] [-v]`: runs the embedded broker in the foreground until SIGINT
// or SIGTERM. It prints the address it listens on (port 0 picks a free
// one) so scripts can read it; -v logs connections and refusals, -vv every packet too.
// --sys-interval SECONDS: how often $SYS/broker/... is updated (default 10, 0: never).
#include "broker_command.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include <boost/json/serialize.hpp>
#include "exit_status.hpp"
#include "harness/broker/auth_hooks.hpp"
#include "harness/broker/server.hpp"
#include "harness/version.hpp"

#include "harness/packet_json/packet_json.hpp"

namespace harness::cli {
namespace {

namespace asio = boost::asio;

struct broker_arguments {
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
        broker::use_acl_file(options.access, std::make_shared<const broker::acl_file>(std::move(*acl)));
    }
    return true;
}

std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    std::ostringstream out;
    out << std::put_time(&tm, "%FT%TZ");
    return out.str();
}

int run(const broker_arguments& args) {
    broker::server_options options;
    options.listeners.front().bind_address = args.bind;
    options.listeners.front().port = static_cast<std::uint16_t>(args.port);
    options.broker.max_queued_messages = args.max_queued_messages;
    options.broker.max_inflight_messages = static_cast<std::uint16_t>(args.max_inflight);
    options.broker.sys_interval = std::chrono::seconds(args.sys_interval);
    options.broker.version_string = std::string("mqtt-harness ") + harness::version;
    if (!load_auth(args, options.broker))
        return exit_status::usage;  // 2: a bad password or ACL file
    asio::io_context io(1);
    std::unique_ptr<broker::server> server;
    try {
        server = std::make_unique<broker::server>(io, options);
    } catch (const std::system_error& e) {
        std::cerr << "mqtt-harness broker: " << e.what() << '\n';
        return exit_status::malformed;  // 1: could not listen
    }
    auto& core = server->core();
    if (args.verbosity >= 1) {
        core.log_to(
            [](const std::string& line) { std::cerr << timestamp() << " " << line << '\n'; });
    }
    if (args.verbosity >= 2) {
        core.observe([](broker::connection_id id, broker::direction d, const codec::packet& p,
                        broker::time_point) {
            std::cerr << timestamp() << " #" << id << (d == broker::direction::in ? " <- " : " -> ")
                      << boost::json::serialize(
                             packet_json::to_json(p, codec::protocol_version::v5))
                      << '\n';
        });
    }
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec)
            server->stop();
    });
    server->start();
    std::cout << "mqtt-harness broker listening on " << args.bind << ":" << server->port()
              << std::endl;
    io.run();
    return exit_status::ok;
}

}  // namespace

void add_broker_command(CLI::App& app) {
    auto args = std::make_shared<broker_arguments>();
    auto* cmd = app.add_subcommand("broker", "Run the embedded MQTT broker (TCP listener)");
    cmd->add_option("-p,--port", args->port, "TCP port; 0 picks a free one (default 1883)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--bind", args->bind, "Address to listen on (default 127.0.0.1)");
    cmd->add_flag("-v,--verbose", args->verbosity,
                  "-v: log connections and refusals; -vv: every packet too");
    cmd->add_option("--max-queued-messages", args->max_queued_messages,
                    "Messages queued per client beyond the in-flight window (default 1000)");
    cmd->add_option("--max-inflight-messages", args->max_inflight,
                    "Outgoing QoS 1/2 messages in flight per client (default 20)")
        ->check(CLI::Range(1, 65535));
    cmd->add_option("--sys-interval", args->sys_interval,
                    "Seconds between $SYS/broker/... updates; 0: none (default 10)")
        ->check(CLI::Range(0u, 86400u));
    cmd->add_option("--password-file", args->password_file,
                    "Mosquitto password file (mosquitto_passwd): users must log in with one of "
                    "its user names and passwords");
    cmd->add_option("--acl-file", args->acl_file,
                    "Mosquitto ACL file: publishing and receiving are checked against it "
                    "(subscriptions are granted and filtered per message, as Mosquitto 2.0 does)");
    cmd->add_option("--allow-anonymous", args->allow_anonymous,
                    "Accept clients without a user name: true or false (default true, even "
                    "with a password file)");
    cmd->footer(
        "Stops on SIGINT or SIGTERM. Exit status: 0 stopped; 1 could not listen; 2 a bad "
        "password or ACL file.");
    cmd->callback([args] {
        const int status = run(*args);
        if (status != exit_status::ok)
            throw CLI::RuntimeError(status);
    });
}

}  // namespace harness::cli
