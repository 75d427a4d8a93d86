// `mqtt-harness record --broker URL -t FILTER... [--duration D | --count N] [-o FILE]`: observes
// a live system and writes a scenario that replays it (record_model.hpp says how). Two MQTT 5.0
// connections: one subscribes with retain-as-published and no retained messages (the live
// traffic, retain flags as published), the other with retain-as-published off, so that only
// messages retained at subscribe time carry the retain flag there. Progress goes to stdout when
// -o names a file, to stderr when the scenario goes to stdout. Exit status: 0 written; 1 nothing
// observed or the file could not be written; 2 bad options or an unreachable broker.
#include <unistd.h>

#include <fmt/format.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "connection_options.hpp"
#include "exit_status.hpp"
#include "harness/codec/topic.hpp"
#include "harness/scenario/load.hpp"
#include "record_command.hpp"
#include "record_model.hpp"
#include "record_yaml.hpp"
#include "scenario_loading.hpp"

namespace harness::cli {
namespace {

namespace asio = boost::asio;
using namespace codec;
using clock = std::chrono::steady_clock;

struct record_arguments {
    connection_arguments connection;
    std::string broker;
    std::vector<std::string> topics;
    std::vector<std::string> triggers;
    int qos = 2;
    std::string duration = "0s";
    long count = 0;
    std::string output;
    std::string name = "recorded scenario";
    std::string gap = "1s";
    std::string floor = "500ms";
    std::string retained = "setup";
    bool include_dollar = false;
};

int fail(const std::string& message, int status) {
    std::cerr << "mqtt-harness record: " << message << '\n';
    return status;
}

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

record::observed_message observed(const publish& m, record::milliseconds at) {
    record::observed_message o;
    o.topic = m.topic;
    o.payload.assign(m.payload.begin(), m.payload.end());
    o.qos = static_cast<int>(m.qos);
    o.retain = m.retain;
    o.at = at;
    if (const auto* s = m.properties.string(property_id::content_type))
        o.content_type = *s;
    if (const auto* s = m.properties.string(property_id::response_topic))
        o.response_topic = *s;
    if (const auto* b = m.properties.binary_data(property_id::correlation_data))
        o.correlation_data = std::vector<std::uint8_t>(b->begin(), b->end());
    o.user_properties = m.properties.user_properties();
    return o;
}

/// Subscribes `c` to every filter; "" or the reason nothing was granted.
asio::awaitable<std::string> subscribe_all(client::async_client& c,
                                           const std::vector<std::string>& filters, int qos,
                                           bool as_published, retain_handling handling) {
    std::vector<subscription> list;
    for (const auto& f : filters)
        list.push_back({f, static_cast<codec::qos>(qos), false, as_published, handling});
    const auto done = co_await c.subscribe(list);
    if (!done)
        co_return done.message;
    std::size_t granted = 0;
    for (std::size_t k = 0; k < done.reason_codes.size(); ++k) {
        if (is_failure(done.reason_codes[k]))
            std::cerr << "mqtt-harness record: subscription to " << filters.at(k)
                      << " rejected: " << to_string(done.reason_codes[k]) << '\n';
        else
            ++granted;
    }
    co_return granted == 0 ? std::string("every subscription was rejected") : std::string();
}

bool write_atomically(const std::string& path, const std::string& text, std::string& error) {
    const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            error = "cannot write " + temporary;
            std::remove(temporary.c_str());
            return false;
        }
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        error = "cannot rename " + temporary + " to " + path;
        std::remove(temporary.c_str());
        return false;
    }
    return true;
}

asio::awaitable<int> record_session(const record_arguments& args, client_setup setup,
                                    record::record_settings settings,
                                    std::chrono::milliseconds duration) {
    auto executor = co_await asio::this_coro::executor;
    std::ostream& progress = args.output.empty() ? std::cerr : std::cout;
    record::recording rec;
    rec.filters = args.topics;
    rec.broker = args.broker.empty() ? setup.options.url.to_string() : args.broker;
    const auto keep = [&](const std::string& topic) {
        return !topic.starts_with("$SYS") && (args.include_dollar || !topic.starts_with('$'));
    };
    asio::steady_timer done(executor);
    bool finished = false;
    clock::time_point start = clock::now();

    client::async_client live(executor, setup.options);
    live.on_message([&](publish&& m) {
        if (finished || !keep(m.topic))
            return;
        const auto at = std::chrono::duration_cast<record::milliseconds>(clock::now() - start);
        progress << fmt::format("+{:.3f}s {} ({} bytes{})", at.count() / 1000.0, m.topic,
                                m.payload.size(), m.retain ? ", retained" : "")
                 << std::endl;
        rec.live.push_back(observed(m, at));
        if (args.count > 0 && static_cast<long>(rec.live.size()) >= args.count) {
            finished = true;
            done.cancel();
        }
    });
    if (args.connection.debug)
        live.observe(debug_printer(setup.options.session.connect.client_id));
    auto snapshot_options = setup.options;
    snapshot_options.session.connect.client_id += "-retained";
    client::async_client snapshot(executor, snapshot_options);
    snapshot.on_message([&](publish&& m) {
        if (!finished && m.retain && keep(m.topic))  // only retained-at-subscribe ones carry it
            rec.retained.push_back(observed(m, record::milliseconds{0}));
    });

    const auto connected = co_await live.connect();
    if (!connected)
        co_return fail("cannot connect to " + rec.broker + ": " + connected.message,
                       exit_status::usage);
    const auto live_problem =
        co_await subscribe_all(live, args.topics, args.qos, true, retain_handling::do_not_send);
    if (!live_problem.empty())
        co_return fail(live_problem, exit_status::usage);
    start = clock::now();
    rec.window.first_ms = wall_ms();
    const auto snapshot_connected = co_await snapshot.connect();
    if (!snapshot_connected)
        co_return fail("cannot connect to " + rec.broker + ": " + snapshot_connected.message,
                       exit_status::usage);
    const auto snapshot_problem = co_await subscribe_all(snapshot, args.topics, args.qos, false,
                                                         retain_handling::send_on_subscribe);
    if (!snapshot_problem.empty())
        co_return fail(snapshot_problem, exit_status::usage);
    progress << "mqtt-harness record: subscribed to " << args.topics.size() << " filter(s) on "
             << rec.broker << "; recording until "
             << (args.count > 0 ? std::to_string(args.count) + " messages, " : std::string())
             << (duration.count() > 0 ? "--duration, " : std::string()) << "Ctrl-C" << std::endl;

    asio::signal_set signals(executor, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) {
            finished = true;
            done.cancel();
        }
    });
    if (duration.count() > 0)
        done.expires_after(duration);
    else
        done.expires_at(clock::time_point::max());
    while (!finished) {
        boost::system::error_code ec;
        co_await done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!ec)
            break;  // the duration is over
    }
    finished = true;
    signals.cancel();
    rec.window.last_ms = wall_ms();
    if (!live.connected())
        std::cerr << "mqtt-harness record: the connection ended early; writing what was seen\n";
    co_await live.disconnect();
    co_await snapshot.disconnect();

    if (rec.live.empty() && rec.retained.empty())
        co_return fail("nothing was observed; no scenario written", exit_status::malformed);
    const auto doc = record::build_scenario(rec, settings);
    const auto text = record::to_yaml(doc);
    const auto checked =
        scenario::load_text(text, args.output.empty() ? "<recorded>" : args.output);
    for (const auto& e : checked.errors)
        std::cerr << e.to_string() << '\n';
    if (!checked.ok())
        co_return fail("the recorded scenario does not validate (a bug); not written",
                       exit_status::malformed);
    if (args.output.empty()) {
        std::cout << text << std::flush;
    } else {
        std::string error;
        if (!write_atomically(args.output, text, error))
            co_return fail(error, exit_status::malformed);
    }
    std::size_t expected = 0;
    for (const auto& e : doc.episodes)
        for (const auto& x : e.expects)
            for (const auto& m : x.messages)
                expected += m.count;
    progress << "mqtt-harness record: " << rec.live.size() << " message(s): " << doc.episodes.size()
             << " trigger(s), " << expected << " expected, " << rec.retained.size()
             << " retained at the start; scenario written to "
             << (args.output.empty() ? "stdout" : args.output) << std::endl;
    co_return exit_status::ok;
}

int run(record_arguments& args) {
    const auto duration = parse_cli_duration(args.duration);
    const auto gap = parse_cli_duration(args.gap);
    const auto floor = parse_cli_duration(args.floor);
    if (!duration || !gap || !floor)
        return fail("--duration, --gap and --floor take durations like 500ms, 30s or 5m",
                    exit_status::usage);
    record::record_settings settings;
    settings.name = args.name;
    settings.trigger_filters = args.triggers;
    settings.gap = *gap;
    settings.floor = *floor;
    settings.qos = args.qos;
    if (args.retained == "setup")
        settings.retained = record::retained_mode::setup;
    else if (args.retained == "expect")
        settings.retained = record::retained_mode::expect;
    else if (args.retained == "ignore")
        settings.retained = record::retained_mode::ignore;
    else
        return fail("--retained takes setup, expect or ignore", exit_status::usage);
    for (const auto& f : args.triggers)
        if (codec::validate_topic_filter(f, false) != codec::topic_error::none)
            return fail("--trigger " + f + " is not a topic filter", exit_status::usage);
    if (!args.broker.empty())
        args.connection.url = args.broker;
    std::string error;
    auto setup = make_client_setup(args.connection, "mqtt-harness-record", error);
    if (!setup)
        return fail(error, exit_status::usage);
    if (setup->options.session.connect.version != protocol_version::v5)
        return fail("recording needs MQTT 5.0 (retain-as-published); drop -V", exit_status::usage);
    return run_command(record_session(args, std::move(*setup), settings, *duration));
}

}  // namespace

void add_record_command(CLI::App& app) {
    auto args = std::make_shared<record_arguments>();
    auto* cmd = app.add_subcommand(
        "record", "Observe a live system and write a scenario that replays what happened");
    add_connection_options(*cmd, args->connection);
    cmd->add_option("--broker", args->broker,
                    "Broker URL: mqtt://host:port, mqtts://, ws://host:port/path, wss:// (as -L)");
    cmd->add_option("-t,--topic", args->topics, "Topic filter to observe (repeatable)")->required();
    cmd->add_option("--trigger", args->triggers,
                    "Messages on this filter are triggers the scenario publishes; everything "
                    "else is expected (repeatable; default: the quiet-gap rule, see --gap)");
    cmd->add_option("--gap", args->gap,
                    "Without --trigger: a message after this much quiet starts a burst and is "
                    "its trigger")
        ->capture_default_str();
    cmd->add_option("--floor", args->floor,
                    "Timing bound of each expect: within = 2 x the observed delay + this, "
                    "rounded up to 100ms")
        ->capture_default_str();
    cmd->add_option("-q,--qos", args->qos, "QoS of the subscriptions")
        ->check(CLI::Range(0, 2))
        ->capture_default_str();
    cmd->add_option("--duration", args->duration, "Stop after this long (0s: no limit)")
        ->capture_default_str();
    cmd->add_option("-C,--count", args->count, "Stop after this many messages")
        ->check(CLI::Range(1L, 1'000'000'000L));
    cmd->add_option("-o,--output", args->output,
                    "Write the scenario to this file (atomically); default stdout");
    cmd->add_option("--name", args->name, "Name of the scenario")->capture_default_str();
    cmd->add_option("--retained", args->retained,
                    "Messages retained when recording starts: setup (publish them retained "
                    "first), expect (expect them on subscribing) or ignore")
        ->capture_default_str();
    cmd->add_flag("--include-dollar", args->include_dollar,
                  "Keep topics starting with $ other than $SYS (left out by default)");
    cmd->footer(
        "Ends at --duration, --count or Ctrl-C, then writes the scenario. Replay it with\n"
        "mqtt-harness run FILE --broker URL --no-topic-prefix. Exit status: 0 written;\n"
        "1 nothing observed or not written; 2 bad options or broker unreachable.");
    cmd->callback([args] {
        const int status = run(*args);
        if (status != exit_status::ok)
            throw CLI::RuntimeError(status);
    });
}

}  // namespace harness::cli
