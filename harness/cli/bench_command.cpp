// `mqtt-harness bench`: N publishers and M subscribers, all coroutines on one io_context. Each
// payload carries the run id, publisher index, sequence number and send time, so receivers count
// duplicates, out-of-order and lost messages and measure latency on the steady clock. Every wait
// is bounded: connects and acknowledgements by --timeout, stragglers by --drain.
// Exit status: 0 the run completed (losses are reported, not failed); 1 connecting or
// subscribing failed; 2 bad options. `bench merge` (bench_merge.hpp) joins the --json reports of
// runs on several machines.
#include "bench_command.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>

#include "bench_histogram.hpp"
#include "bench_merge.hpp"
#include "bench_payload.hpp"
#include "bench_report.hpp"
#include "bench_stats.hpp"
#include "connection_options.hpp"
#include "exit_status.hpp"

namespace harness::cli {
namespace {

using namespace codec;
namespace asio = boost::asio;
namespace json = boost::json;
using clock = std::chrono::steady_clock;
using std::chrono::duration;

struct bench_arguments {
    connection_arguments connection;
    std::string mode = "fan-in";
    int clients = 1;
    int qos = 0;
    std::size_t size = 64;
    std::uint64_t count = 1000;
    double rate = 0;  // per publisher; 0: as fast as the window allows
    int inflight = 1;
    std::string topic_prefix = "mqtt-harness/bench";
    double drain_seconds = 5;
    bool json = false;
    int broker_pid = 0;
    std::uint64_t drop_subscriber_after = 0;  // hidden, for tests: 0 never
};

int fail(const std::string& message, int status = exit_status::malformed) {
    std::cerr << "mqtt-harness bench: " << message << '\n';
    return status;
}

double seconds(clock::duration d) {
    return duration<double>(d).count();
}

double self_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    const auto tv = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return tv(u.ru_utime) + tv(u.ru_stime);
}

/// utime + stime of a process from /proc/PID/stat, in seconds; nullopt when unreadable.
std::optional<double> process_cpu_seconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(in, text))
        return std::nullopt;
    const auto close = text.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos)
        return std::nullopt;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int k = 3; k <= 15 && fields >> field; ++k) {  // field 3 is the state
        if (k == 14)
            utime = std::stoull(field);
        if (k == 15)
            stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

/// VmRSS of a process in kB; nullopt when unreadable.
std::optional<long> process_rss_kb(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    }
    return std::nullopt;
}

/// Everything the coroutines of one run share; lives in run_bench's frame until all are done.
struct run_state {
    const bench_arguments& args;
    client_setup setup;
    std::uint64_t run_id = 0;
    std::string topic_base;
    std::size_t publishers = 0;
    std::size_t subscribers = 0;
    std::vector<std::unique_ptr<client::async_client>> pub_clients;
    std::vector<std::unique_ptr<client::async_client>> sub_clients;

    int tasks = 0;  // spawned coroutines still running
    std::exception_ptr task_error;
    int publishers_running = 0;
    std::size_t subscribers_alive = 0;
    bool stopping = false;
    clock::time_point start;
    clock::time_point last_send;
    clock::time_point last_receive;

    std::vector<std::uint64_t> sent;  // per publisher
    std::uint64_t sent_total = 0;
    std::uint64_t publish_errors = 0;
    std::string first_error;
    std::uint64_t received_total = 0;  // every delivery, duplicates included
    bench::delivery_counter counter;
    std::vector<std::int64_t> latencies_ns;

    run_state(const bench_arguments& a, client_setup s, std::size_t p, std::size_t m)
        : args(a),
          setup(std::move(s)),
          publishers(p),
          subscribers(m),
          sent(p),
          counter(m, p, a.count) {}

    bool fan_out() const { return args.mode == "fan-out"; }
    std::string topic(std::size_t publisher) const {
        return topic_base + "/" + std::to_string(publisher);
    }
    /// How many subscribers receive each message of a publisher.
    std::uint64_t receivers_per_message() const { return fan_out() ? subscribers : 1; }
    std::uint64_t expected() const { return sent_total * receivers_per_message(); }

    /// Runs `task` on the executor, counted in `tasks` so the run waits for it.
    template <class Task>
    void spawn(asio::any_io_executor executor, Task task) {
        ++tasks;
        asio::co_spawn(executor, std::move(task), [this](std::exception_ptr e) {
            --tasks;
            if (e && !task_error)
                task_error = e;
        });
    }
};

asio::awaitable<void> sleep_for(clock::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

/// Polls `done` every 10 ms until it holds or `deadline` passes.
template <class Done>
asio::awaitable<bool> wait_until(Done done, clock::time_point deadline) {
    while (!done()) {
        if (clock::now() >= deadline)
            co_return false;
        co_await sleep_for(std::chrono::milliseconds(10));
    }
    co_return true;
}

asio::awaitable<void> connect_client(run_state& s, client::async_client& c, bool& ok,
                                     std::string name) {
    const auto r = co_await c.connect();
    ok = static_cast<bool>(r);
    if (!ok && s.first_error.empty())
        s.first_error = name + ": " + r.message;
}

asio::awaitable<void> subscribe_client(run_state& s, std::size_t index, bool& ok) {
    auto& c = *s.sub_clients[index];
    const std::string filter = s.args.mode == "fan-in"    ? s.topic_base + "/+"
                               : s.args.mode == "fan-out" ? s.topic(0)
                                                          : s.topic(index);
    std::vector<subscription> subscriptions(1);
    subscriptions[0].topic_filter = filter;
    subscriptions[0].max_qos = static_cast<qos>(s.args.qos);
    const auto r = co_await c.subscribe(std::move(subscriptions));
    ok = static_cast<bool>(r) && !r.reason_codes.empty() && !is_failure(r.reason_codes[0]);
    if (!ok && s.first_error.empty())
        s.first_error = "subscriber " + std::to_string(index) + ": " +
                        (r ? "subscription to " + filter + " refused" : r.message);
}

/// With --rate, how often a publisher wakes up at most: at 2000 msg/s four messages per wake-up,
/// written together. One wake-up and one send per message cost bench more CPU than the broker
/// spends on the message (bench/broker/compare.py's paced case).
constexpr auto pace_tick = std::chrono::milliseconds(2);

/// One of the --inflight coroutines of a publisher; they share its sequence counter.
asio::awaitable<void> publish_worker(run_state& s, std::size_t index,
                                     std::shared_ptr<std::uint64_t> next) {
    auto executor = co_await asio::this_coro::executor;
    auto& c = *s.pub_clients[index];
    asio::steady_timer pace(executor);
    bench::payload_header h{s.run_id, static_cast<std::uint32_t>(index), 0, 0};
    auto payload = bench::make_payload(h, s.args.size);
    const auto topic = s.topic(index);
    auto last_wake = s.start;
    while (!s.stopping && *next < s.args.count) {
        h.sequence = (*next)++;
        bool more_due = false;  // the next message is due already: no yield in between
        if (s.args.rate > 0) {
            const auto due = [&](std::uint64_t sequence) {
                return s.start + std::chrono::duration_cast<clock::duration>(
                                     duration<double>(static_cast<double>(sequence) / s.args.rate));
            };
            // At most one wake-up per pace_tick: the messages due by then go out together, so
            // the client writes them in one go (one timer and one send for several messages).
            if (const auto at = due(h.sequence); at > clock::now()) {
                pace.expires_at(std::max(at, last_wake + pace_tick));
                co_await pace.async_wait(asio::use_awaitable);
                last_wake = clock::now();
            }
            more_due = due(h.sequence + 1) <= clock::now();
        }
        h.sent_ns =
            std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now().time_since_epoch())
                .count();
        bench::write_header(h, payload);
        publish p;
        p.topic = topic;
        p.qos = static_cast<qos>(s.args.qos);
        p.payload = payload;
        const auto r = co_await c.publish(std::move(p));
        if (r || r.packet_id != 0) {  // handed to the connection (maybe delivered unacknowledged)
            ++s.sent[index];
            ++s.sent_total;
            s.last_send = clock::now();
        }
        if (!r) {
            ++s.publish_errors;
            if (s.first_error.empty())
                s.first_error = "publisher " + std::to_string(index) + ": " + r.message;
            break;
        }
        if (s.args.qos == 0 && !more_due)
            co_await asio::post(executor, asio::use_awaitable);  // let the writer run
    }
}

/// Starts the --inflight workers of a publisher; the last one to finish marks it done.
asio::awaitable<void> run_publisher(run_state& s, std::size_t index) {
    auto executor = co_await asio::this_coro::executor;
    auto next = std::make_shared<std::uint64_t>(0);
    auto remaining = std::make_shared<int>(s.args.inflight);
    for (int w = 0; w < s.args.inflight; ++w) {
        s.spawn(executor, [&s, index, next, remaining]() -> asio::awaitable<void> {
            co_await publish_worker(s, index, next);
            if (--*remaining == 0)
                --s.publishers_running;
        });
    }
    co_return;
}

/// Counts one delivery to subscriber `index`.
void record_delivery(run_state& s, std::size_t index, const publish& m) {
    const auto now = clock::now();
    const auto h = bench::read_header(m.payload);
    if (!h || h->run_id != s.run_id) {
        s.counter.record_stray();  // another run's or not ours
        return;
    }
    ++s.received_total;
    s.last_receive = now;
    const auto v = s.counter.record(index, h->publisher, h->sequence);
    if (v != bench::delivery_counter::verdict::stray) {
        s.latencies_ns.push_back(
            std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() -
            h->sent_ns);
    }
}

/// Messages are counted as the client decodes them (no queue, no wake-up per message); this
/// coroutine only waits for the run's end or the connection's.
asio::awaitable<void> run_subscriber(run_state& s, std::size_t index) {
    auto executor = co_await asio::this_coro::executor;
    auto& c = *s.sub_clients[index];
    std::uint64_t received = 0;
    bool dropping = false;
    c.on_message([&s, &c, index, &received, &dropping, executor](publish&& m) {
        if (dropping)
            return;
        record_delivery(s, index, m);
        if (s.args.drop_subscriber_after != 0 && ++received >= s.args.drop_subscriber_after) {
            dropping = true;
            asio::post(executor, [&c] { c.abort(); });  // not from inside the client's dispatch
        }
    });
    while (!s.stopping && c.connected())
        co_await c.next_message(std::chrono::milliseconds(100));  // returns early on close
    c.on_message(nullptr);
    --s.subscribers_alive;
}

asio::awaitable<void> progress(run_state& s) {
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    bool printed = false;
    auto next = s.start + std::chrono::seconds(1);
    while (!s.stopping) {
        co_await sleep_for(std::chrono::milliseconds(50));  // short naps: the run's end is prompt
        if (s.stopping || clock::now() < next)
            continue;
        next += std::chrono::seconds(1);
        std::cerr << "bench: " << std::fixed << std::setprecision(0)
                  << seconds(clock::now() - s.start) << " s  sent " << s.sent_total << "  received "
                  << s.counter.unique() << "/" << s.expected() << (tty ? "   \r" : "\n")
                  << std::flush;
        printed = true;
    }
    if (printed && tty)
        std::cerr << '\n';
}

asio::awaitable<void> disconnect_client(client::async_client& c) {
    if (c.connected())
        co_await c.disconnect();
}

std::string hex(std::uint64_t v) {
    std::ostringstream out;
    out << std::hex << std::setw(16) << std::setfill('0') << v;
    return out.str();
}

asio::awaitable<int> run_bench(const bench_arguments& args, client_setup setup) {
    auto executor = co_await asio::this_coro::executor;
    const auto n = static_cast<std::size_t>(args.clients);
    const std::size_t publishers = args.mode == "fan-out" ? 1 : n;
    const std::size_t subscribers = args.mode == "fan-in" ? 1 : n;
    run_state s(args, std::move(setup), publishers, subscribers);
    s.run_id = std::random_device{}() | (static_cast<std::uint64_t>(std::random_device{}()) << 32);
    s.topic_base = args.topic_prefix + "/" + hex(s.run_id);
    const auto id_prefix = (args.connection.client_id.empty() ? std::string("mqtt-harness-bench")
                                                              : args.connection.client_id) +
                           "-" + hex(s.run_id).substr(0, 8);
    const auto make = [&](const std::string& id) {
        auto options = s.setup.options;
        options.session.connect.client_id = id;
        auto c = std::make_unique<client::async_client>(executor, options);
        if (args.connection.debug)
            c->observe(debug_printer(id));
        return c;
    };
    for (std::size_t k = 0; k < publishers; ++k)
        s.pub_clients.push_back(make(id_prefix + "-p" + std::to_string(k)));
    for (std::size_t k = 0; k < subscribers; ++k)
        s.sub_clients.push_back(make(id_prefix + "-s" + std::to_string(k)));

    // Whatever happens below, every spawned coroutine ends before `s` goes.
    const auto finish = [&](int status) -> asio::awaitable<int> {
        s.stopping = true;
        for (auto& c : s.sub_clients)
            s.spawn(executor, disconnect_client(*c));
        for (auto& c : s.pub_clients)
            s.spawn(executor, disconnect_client(*c));
        while (s.tasks > 0)
            co_await sleep_for(std::chrono::milliseconds(10));
        if (s.task_error)
            std::rethrow_exception(s.task_error);
        co_return status;
    };

    // Connect subscribers, subscribe, then connect publishers; all concurrently.
    auto sub_ok = std::make_unique<bool[]>(subscribers);
    auto pub_ok = std::make_unique<bool[]>(publishers);
    for (std::size_t k = 0; k < subscribers; ++k)
        s.spawn(executor,
                connect_client(s, *s.sub_clients[k], sub_ok[k], "subscriber " + std::to_string(k)));
    for (std::size_t k = 0; k < publishers; ++k)
        s.spawn(executor,
                connect_client(s, *s.pub_clients[k], pub_ok[k], "publisher " + std::to_string(k)));
    while (s.tasks > 0)
        co_await sleep_for(std::chrono::milliseconds(10));
    if (!s.first_error.empty()) {
        fail(s.first_error);
        co_return co_await finish(exit_status::malformed);
    }
    for (std::size_t k = 0; k < subscribers; ++k)
        s.spawn(executor, subscribe_client(s, k, sub_ok[k]));
    while (s.tasks > 0)
        co_await sleep_for(std::chrono::milliseconds(10));
    if (!s.first_error.empty()) {
        fail(s.first_error);
        co_return co_await finish(exit_status::malformed);
    }

    const auto broker_cpu_start =
        args.broker_pid ? process_cpu_seconds(args.broker_pid) : std::nullopt;
    const auto self_cpu_start = self_cpu_seconds();
    s.start = clock::now();
    s.last_send = s.last_receive = s.start;
    s.subscribers_alive = subscribers;
    for (std::size_t k = 0; k < subscribers; ++k)
        s.spawn(executor, run_subscriber(s, k));
    s.publishers_running = static_cast<int>(publishers);
    for (std::size_t k = 0; k < publishers; ++k)
        s.spawn(executor, run_publisher(s, k));
    s.spawn(executor, progress(s));

    co_await wait_until([&] { return s.publishers_running == 0; }, clock::time_point::max());
    const auto send_end = clock::now();
    const auto drain_deadline = send_end + std::chrono::duration_cast<clock::duration>(
                                               duration<double>(args.drain_seconds));
    co_await wait_until(
        [&] { return s.counter.unique() >= s.expected() || s.subscribers_alive == 0; },
        drain_deadline);
    const auto end = clock::now();
    const auto self_cpu = self_cpu_seconds() - self_cpu_start;
    const auto broker_cpu_end =
        args.broker_pid ? process_cpu_seconds(args.broker_pid) : std::nullopt;
    const auto broker_rss = args.broker_pid ? process_rss_kb(args.broker_pid) : std::nullopt;
    s.stopping = true;
    const int status = co_await finish(exit_status::ok);

    // Report.
    bench::log_histogram histogram;
    for (const auto ns : s.latencies_ns)
        histogram.record(ns);
    const auto latency = bench::summarize(s.latencies_ns);
    const auto expected = s.expected();
    const auto received = s.counter.unique();
    const auto lost = expected > received ? expected - received : 0;
    const double send_time = seconds(send_end - s.start);
    const double receive_time = seconds((received ? s.last_receive : send_end) - s.start);
    const double wall = seconds(end - s.start);
    const double send_rate = send_time > 0 ? static_cast<double>(s.sent_total) / send_time : 0;
    const double receive_rate = receive_time > 0 ? static_cast<double>(received) / receive_time : 0;

    json::object o;
    o["run_id"] = hex(s.run_id);
    o["mode"] = args.mode;
    o["qos"] = args.qos;
    o["publishers"] = publishers;
    o["subscribers"] = subscribers;
    o["size"] = args.size;
    o["count"] = args.count;
    o["rate"] = args.rate;
    o["inflight"] = args.inflight;
    o["sent"] = s.sent_total;
    o["expected"] = expected;
    o["received"] = received;
    o["lost"] = lost;
    o["duplicates"] = s.counter.duplicates();
    o["out_of_order"] = s.counter.out_of_order();
    o["stray"] = s.counter.stray();
    o["publish_errors"] = s.publish_errors;
    o["send_seconds"] = send_time;
    o["elapsed_seconds"] = wall;
    o["send_rate"] = send_rate;
    o["receive_rate"] = receive_rate;
    o["receive_mb_per_second"] = receive_rate * static_cast<double>(args.size) / 1e6;
    json::object lat;
    lat["samples"] = latency.samples;
    lat["min"] = latency.min_us;
    lat["mean"] = latency.mean_us;
    lat["p50"] = latency.p50_us;
    lat["p90"] = latency.p90_us;
    lat["p99"] = latency.p99_us;
    lat["p99_9"] = latency.p999_us;
    lat["max"] = latency.max_us;
    o["latency_us"] = std::move(lat);
    o["latency_histogram"] = bench::to_json(histogram);
    json::object cpu;
    cpu["self_seconds"] = self_cpu;
    cpu["self_percent"] = wall > 0 ? 100 * self_cpu / wall : 0;
    if (broker_cpu_start && broker_cpu_end) {
        const double b = *broker_cpu_end - *broker_cpu_start;
        cpu["broker_seconds"] = b;
        cpu["broker_percent"] = wall > 0 ? 100 * b / wall : 0;
    }
    if (broker_rss)
        cpu["broker_rss_kb"] = *broker_rss;
    o["cpu"] = std::move(cpu);
    if (!s.first_error.empty())
        o["first_error"] = s.first_error;

    if (args.json)
        std::cout << json::serialize(o) << '\n';
    else
        bench::print_summary(o, std::cout);
    co_return status;
}

int run(const bench_arguments& args) {
    std::string error;
    auto setup = make_client_setup(args.connection, "mqtt-harness-bench", error);
    if (!setup)
        return fail(error, exit_status::usage);
    if (args.size < bench::header_size) {
        return fail("--size must be at least " + std::to_string(bench::header_size) +
                        " (the header: run id, publisher, sequence, send time)",
                    exit_status::usage);
    }
    if (args.broker_pid != 0 && !process_cpu_seconds(args.broker_pid))
        return fail("--broker-pid: cannot read /proc/" + std::to_string(args.broker_pid) + "/stat",
                    exit_status::usage);
    return run_command(run_bench(args, std::move(*setup)));
}

}  // namespace

void add_bench_command(CLI::App& app) {
    auto args = std::make_shared<bench_arguments>();
    auto* cmd = app.add_subcommand("bench", "Generate load and measure delivery and latency");
    add_connection_options(*cmd, args->connection);
    cmd->add_option("--mode", args->mode,
                    "fan-in: N publishers -> 1 subscriber; fan-out: 1 -> N; pairs: N -> N")
        ->check(CLI::IsMember({"fan-in", "fan-out", "pairs"}));
    cmd->add_option("-n,--clients", args->clients, "N: publishers and/or subscribers (default 1)")
        ->check(CLI::Range(1, 10'000));
    cmd->add_option("-q,--qos", args->qos, "QoS 0, 1 or 2 of publishes and subscriptions")
        ->check(CLI::Range(0, 2));
    cmd->add_option(
        "--size", args->size,
        "Payload bytes, at least " + std::to_string(bench::header_size) + " (default 64)");
    cmd->add_option("--count", args->count, "Messages per publisher (default 1000)")
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1'000'000'000}));
    cmd->add_option("--rate", args->rate,
                    "Messages per second per publisher; 0 as fast as the window allows. Paced "
                    "messages leave in ticks of at most one per 2 ms per publisher (the ones due "
                    "go together), which keeps bench's own CPU below a broker's")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--inflight", args->inflight,
                    "Publishes in flight per publisher at QoS 1/2 (default 1)")
        ->check(CLI::Range(1, 65535));
    cmd->add_option("--topic-prefix", args->topic_prefix,
                    "Topics are PREFIX/RUN-ID/PUBLISHER (default mqtt-harness/bench)");
    cmd->add_option("--drain", args->drain_seconds,
                    "Seconds to wait after the last send for stragglers (default 5)")
        ->check(CLI::Range(0.0, 3600.0));
    cmd->add_flag("--json", args->json, "Print the results as one JSON object");
    cmd->add_option("--broker-pid", args->broker_pid, "Also report this process's CPU and RSS")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--drop-subscriber-after", args->drop_subscriber_after,
                    "Testing: each subscriber drops its connection after this many messages")
        ->group("");
    cmd->footer(
        "received counts distinct messages (duplicates apart); lost = expected - received,\n"
        "expected = sent x subscribers per message. Progress goes to stderr once a second.\n"
        "Exit status: 0 the run completed (losses are reported); 1 connecting or subscribing\n"
        "failed; 2 bad options. `bench merge FILE...` joins the --json reports of runs on\n"
        "several machines.");
    // `bench merge FILE...`: bench has options only, no positionals, so "merge" as the first word
    // that is no option's value selects the subcommand; `bench --mode ...` runs a load test.
    cmd->require_subcommand(0, 1);
    auto merge_files = std::make_shared<std::vector<std::string>>();
    auto merge_json = std::make_shared<bool>(false);
    auto* merge = cmd->add_subcommand(
        "merge",
        "Join the --json reports of bench runs that loaded one broker at the same time (e.g. "
        "pods of a Kubernetes Job) into one report: counts and rates added up, percentiles "
        "from the merged latency histograms");
    merge->add_option("files", *merge_files, "Outputs of bench --json, one JSON object each")
        ->required();
    merge->add_flag("--json", *merge_json,
                    "Print the merged report as one JSON object (the form of bench --json, so "
                    "merged reports can be merged again)");
    merge->footer(
        "Counts (sent, received, lost, ..., publishers, subscribers) and rates are summed (the\n"
        "runs ran concurrently); send and elapsed seconds are the longest run's; latency min,\n"
        "max and the sample-weighted mean are exact; p50..p99.9 are nearest-rank over the\n"
        "merged histogram, reported as the upper bound of the bucket (never below the exact\n"
        "value, less than 0.8 % above it at the default 7 precision bits). mode, qos, size,\n"
        "count, rate and inflight are the first file's; a warning names any that differ.\n"
        "Exit status: 0 merged (losses are reported, as by bench); 2 a file unreadable,\n"
        "not JSON or without latency_histogram.");
    merge->callback([args, merge_files, merge_json] {  // `bench --json merge ...` too
        throw CLI::RuntimeError(bench::run_merge(*merge_files, *merge_json || args->json));
    });

    cmd->callback([args, cmd] {
        if (cmd->got_subcommand("merge"))
            return;
        const int status = run(*args);
        if (status != exit_status::ok)
            throw CLI::RuntimeError(status);
    });
}

}  // namespace harness::cli
