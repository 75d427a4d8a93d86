// `mqtt-harness sub`: mosquitto_sub's options (several -t, -v, -C, -W, -R, --retained-only,
// -E, -N, -d) plus --json. Exit status: 0 done; 27 when -W ran out (as mosquitto_sub); the CONNACK
// reason code when the broker refused the connection; 1 another failure; 2 bad options.
#include "sub_command.hpp"

#include <boost/json/serialize.hpp>
#include <iostream>
#include <memory>

#include "connection_options.hpp"
#include "exit_status.hpp"
#include "message_json.hpp"

namespace harness::cli {
namespace {

using namespace codec;
namespace asio = boost::asio;

constexpr int timed_out_status = 27;  // mosquitto_sub's exit status for -W

struct sub_arguments {
    connection_arguments connection;
    std::vector<std::string> topics;
    int qos = 0;
    bool verbose = false;
    long count = 0;           // 0: no limit
    double wait_seconds = 0;  // 0: no limit
    bool no_retained = false;
    bool retained_only = false;
    bool no_newline = false;
    bool json = false;
    bool no_local = false;
    bool retain_as_published = false;
    int retain_handling = 0;
    bool exit_after_subscribe = false;
};

int fail(const std::string& message, int status = exit_status::malformed) {
    std::cerr << "mqtt-harness sub: " << message << '\n';
    return status;
}

void print(const sub_arguments& args, const publish& m, protocol_version version) {
    if (args.json) {
        std::cout << boost::json::serialize(
                         message_json(m, version, std::chrono::system_clock::now()))
                  << '\n';
    } else {
        if (args.verbose)
            std::cout << m.topic << ' ';
        std::cout.write(reinterpret_cast<const char*>(m.payload.data()),
                        static_cast<std::streamsize>(m.payload.size()));
        if (!args.no_newline)
            std::cout << '\n';
    }
    std::cout.flush();
}

asio::awaitable<int> run_sub(const sub_arguments& args, client_setup setup) {
    auto executor = co_await asio::this_coro::executor;
    client::async_client c(executor, setup.options);
    const auto version = setup.options.session.connect.version;
    if (args.connection.debug)
        c.observe(debug_printer(setup.options.session.connect.client_id));
    const auto connected = co_await c.connect();
    if (!connected)
        co_return fail(connected.message, connect_failure_status(c));
    const auto start = std::chrono::steady_clock::now();

    std::vector<subscription> subscriptions;
    for (const auto& t : args.topics) {
        subscriptions.push_back({t, static_cast<qos>(args.qos), args.no_local,
                                 args.retain_as_published,
                                 static_cast<retain_handling>(args.retain_handling)});
    }
    const auto subscribed = co_await c.subscribe(subscriptions, setup.properties.subscribe);
    if (!subscribed)
        co_return fail(subscribed.message);
    std::size_t granted = 0;
    for (std::size_t k = 0; k < subscribed.reason_codes.size(); ++k) {
        const auto code = subscribed.reason_codes[k];
        if (is_failure(code)) {
            std::cerr << "Subscription to " << (k < args.topics.size() ? args.topics[k] : "?")
                      << " rejected: " << to_string(code) << '\n';
        } else {
            ++granted;
        }
    }
    if (granted == 0)
        co_return fail("all subscription requests were denied");
    if (args.exit_after_subscribe) {
        co_await c.disconnect(disconnect_reason::normal_disconnection, setup.properties.disconnect);
        co_return exit_status::ok;
    }

    long received = 0;
    int status = exit_status::ok;
    while (args.count == 0 || received < args.count) {
        auto wait = std::chrono::milliseconds(3'600'000);
        if (args.wait_seconds > 0) {
            const auto deadline =
                start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(args.wait_seconds));
            const auto left = deadline - std::chrono::steady_clock::now();
            if (left <= std::chrono::steady_clock::duration::zero()) {
                std::cerr << "Timed out\n";
                status = timed_out_status;
                break;
            }
            wait = std::chrono::ceil<std::chrono::milliseconds>(left);
        }
        auto message = co_await c.next_message(wait);
        if (!message) {
            if (!c.connected()) {
                const auto& d = c.last_disconnect();
                co_return fail(d ? d->message : "the connection ended");
            }
            continue;  // the loop checks -W
        }
        if (args.retained_only && !message->retain)
            break;  // the first fresh message ends it
        if (args.no_retained && message->retain)
            continue;
        print(args, *message, version);
        ++received;
    }
    co_await c.disconnect(disconnect_reason::normal_disconnection, setup.properties.disconnect);
    co_return status;
}

int run(const sub_arguments& args) {
    std::string error;
    auto setup = make_client_setup(args.connection, "mqtt-harness-sub", error);
    if (!setup)
        return fail(error, exit_status::usage);
    if (args.no_retained && args.retained_only) {
        return fail("-R and --retained-only exclude each other", exit_status::usage);
    }
    return run_command(run_sub(args, std::move(*setup)));
}

}  // namespace

void add_sub_command(CLI::App& app) {
    auto args = std::make_shared<sub_arguments>();
    auto* cmd = app.add_subcommand("sub", "Subscribe and print messages (mosquitto_sub's options)");
    add_connection_options(*cmd, args->connection);
    cmd->add_option("-t,--topic", args->topics, "Topic filter to subscribe to (repeatable)")
        ->required();
    cmd->add_option("-q,--qos", args->qos, "Maximum QoS of the subscriptions")
        ->check(CLI::Range(0, 2));
    cmd->add_flag("-v,--verbose", args->verbose, "Print the topic before each payload");
    cmd->add_option("-C,--count", args->count, "Exit after this many messages")
        ->check(CLI::Range(1L, 1'000'000'000L));
    cmd->add_option("-W,--timeout-exit", args->wait_seconds,
                    "Exit with status 27 after this many seconds")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("-R,--no-retained", args->no_retained, "Do not print retained (stale) messages");
    cmd->add_flag("--retained-only", args->retained_only,
                  "Print only retained messages; exit at the first fresh one");
    cmd->add_flag("-E", args->exit_after_subscribe,
                  "Exit once the subscriptions are acknowledged (to set up a session)");
    cmd->add_flag("-N,--no-newline", args->no_newline, "No newline after each payload");
    cmd->add_flag("--json", args->json,
                  "One JSON object per message: topic, qos, retain, payload (or payload_base64), "
                  "properties, received_at");
    cmd->add_flag("--nl,--no-local", args->no_local, "5.0: do not receive our own messages");
    cmd->add_flag("--rap,--retain-as-published", args->retain_as_published,
                  "5.0: keep the retain flag as published");
    cmd->add_option("--rh,--retain-handling", args->retain_handling,
                    "5.0: 0 send retained, 1 only for new subscriptions, 2 never")
        ->check(CLI::Range(0, 2));
    cmd->footer(
        "Exit status: 0 done; 27 when -W ran out; the CONNACK reason code when the broker\n"
        "refused the connection; 1 another failure (named on stderr); 2 bad options.");
    cmd->callback([args] {
        const int status = run(*args);
        if (status != exit_status::ok)
            throw CLI::RuntimeError(status);
    });
}

}  // namespace harness::cli
