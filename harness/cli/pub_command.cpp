// `mqtt-harness pub`: mosquitto_pub's options plus --count, --rate and --payload-template, over
// TCP, TLS, WebSocket or secure WebSocket. Exit status: 0 all published and acknowledged; the
// CONNACK reason code when the broker refused the connection (as mosquitto_pub); 1 any other
// failure; 2 bad options.
#include "pub_command.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include "connection_options.hpp"
#include "exit_status.hpp"

namespace harness::cli {
namespace {

using namespace codec;
namespace asio = boost::asio;

struct pub_arguments {
    connection_arguments connection;
    std::string topic;
    std::optional<std::string> message;
    std::string file;
    bool null_message = false;
    bool stdin_message = false;
    int qos = 0;
    bool retain = false;
    long count = 1;
    double rate = 0;  // messages per second; 0: as fast as acknowledged
    std::string payload_template;
};

/// {seq} -> the sequence number, {now} -> milliseconds since the Unix epoch.
std::string render(const std::string& text, long seq) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        if (text.compare(i, 5, "{seq}") == 0) {
            out += std::to_string(seq);
            i += 5;
        } else if (text.compare(i, 5, "{now}") == 0) {
            const auto now = std::chrono::system_clock::now().time_since_epoch();
            out +=
                std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
            i += 5;
        } else {
            out += text[i++];
        }
    }
    return out;
}

int fail(const std::string& message, int status = exit_status::malformed) {
    std::cerr << "mqtt-harness pub: " << message << '\n';
    return status;
}

asio::awaitable<int> run_pub(const pub_arguments& args, client_setup setup, binary payload) {
    auto executor = co_await asio::this_coro::executor;
    client::async_client c(executor, setup.options);
    if (args.connection.debug)
        c.observe(debug_printer(setup.options.session.connect.client_id));
    const auto connected = co_await c.connect();
    if (!connected)
        co_return fail(connected.message, connect_failure_status(c));

    asio::steady_timer pace(executor);
    const auto start = std::chrono::steady_clock::now();
    int status = exit_status::ok;
    for (long seq = 0; seq < args.count; ++seq) {
        if (args.rate > 0 && seq > 0) {
            pace.expires_at(start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                        std::chrono::duration<double>(seq / args.rate)));
            co_await pace.async_wait(asio::use_awaitable);
        }
        publish p;
        p.topic = args.topic;
        p.qos = static_cast<qos>(args.qos);
        p.retain = args.retain;
        p.properties = setup.properties.publish;
        if (!args.payload_template.empty()) {
            const auto text = render(args.payload_template, seq);
            p.payload.assign(text.begin(), text.end());
        } else {
            p.payload = payload;
        }
        const auto result = co_await c.publish(std::move(p));
        if (!result) {
            status = fail(result.message);
            break;
        }
    }
    co_await c.disconnect(disconnect_reason::normal_disconnection, setup.properties.disconnect);
    co_return status;
}

int run(const pub_arguments& args) {
    std::string error;
    auto setup = make_client_setup(args.connection, "mqtt-harness-pub", error);
    if (!setup)
        return fail(error, exit_status::usage);
    if (args.topic.empty())
        return fail("-t is required", exit_status::usage);
    const int sources = (args.message ? 1 : 0) + (!args.file.empty() ? 1 : 0) +
                        (args.null_message ? 1 : 0) + (args.stdin_message ? 1 : 0) +
                        (!args.payload_template.empty() ? 1 : 0);
    if (sources != 1) {
        return fail("give exactly one of -m, -f, -n, -s or --payload-template", exit_status::usage);
    }
    binary payload;
    if (args.message)
        payload.assign(args.message->begin(), args.message->end());
    if (!args.file.empty()) {
        std::ifstream in(args.file, std::ios::binary);
        if (!in)
            return fail("cannot open " + args.file, exit_status::usage);
        payload.assign(std::istreambuf_iterator<char>(in), {});
    }
    if (args.stdin_message)
        payload.assign(std::istreambuf_iterator<char>(std::cin), {});

    return run_command(run_pub(args, std::move(*setup), std::move(payload)));
}

}  // namespace

void add_pub_command(CLI::App& app) {
    auto args = std::make_shared<pub_arguments>();
    auto* cmd = app.add_subcommand("pub", "Publish messages (mosquitto_pub's options)");
    add_connection_options(*cmd, args->connection);
    cmd->add_option("-t,--topic", args->topic, "Topic to publish to")->required();
    cmd->add_option("-m,--message", args->message, "Message payload");
    cmd->add_option("-f,--file", args->file, "Send the contents of a file as the payload");
    cmd->add_flag("-n,--null-message", args->null_message, "Send an empty payload");
    cmd->add_flag("-s,--stdin-file", args->stdin_message, "Read the payload from stdin");
    cmd->add_option("-q,--qos", args->qos, "QoS 0, 1 or 2")->check(CLI::Range(0, 2));
    cmd->add_flag("-r,--retain", args->retain, "Retain the message");
    cmd->add_option("--count", args->count, "Publish this many messages")
        ->check(CLI::Range(1L, 1'000'000'000L));
    cmd->add_option("--rate", args->rate,
                    "Messages per second (default: each after the last is acknowledged)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--payload-template", args->payload_template,
                    "Payload with {seq} (0, 1, ...) and {now} (ms since the epoch) filled in");
    cmd->footer(
        "Exit status: 0 published; the CONNACK reason code when the broker refused the\n"
        "connection; 1 another failure (named on stderr); 2 bad options.");
    cmd->callback([args] {
        const int status = run(*args);
        if (status != exit_status::ok)
            throw CLI::RuntimeError(status);
    });
}

}  // namespace harness::cli
