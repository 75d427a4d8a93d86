// The state of one running scenario, shared by the parts that run it (clients, steps,
// expectations, stand-ins, components): all on one single-threaded io_context, so no locks.
// Waits are loops of "check, then sleep until notified or the deadline", and everything that
// changes what a wait checks (a message, a log line, a component exit, an interrupt) notifies.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "harness/client/async_client.hpp"
#include "harness/runner/result.hpp"
#include "harness/runner/run.hpp"
#include "harness/scenario/model.hpp"
#include "harness/scenario/template.hpp"
#include "harness/transport/stream.hpp"

namespace harness::broker {
class embedded_broker;
}

namespace harness::runner {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

/// A message as a scenario client received it (topic and response topic without the run's
/// prefix).
struct received_message {
    codec::publish message;
    time_point at;
    bool taken = false;  // matched by an earlier expect
};

class scenario_context;

/// A packet (or undecodable bytes) a raw client received.
struct raw_received {
    std::optional<codec::packet> packet;  // nullopt: the broker sent something malformed
    /// The packet as `decode` prints it (topics without the run's prefix, plus `payload` as
    /// text), or the decode error.
    boost::json::object json;
    std::string text;  // one line for traces and failures
    time_point at;
    bool taken = false;  // matched by an earlier expect_packet
};

/// A raw client: a bare transport connection driven by send / expect_packet steps.
struct raw_actor {
    std::string name;
    const scenario::client_spec* spec = nullptr;
    codec::protocol_version version = codec::protocol_version::v5;
    std::string client_id;
    std::unique_ptr<transport::stream> stream;
    bool open = false;     // connected, and neither side has closed it
    bool reading = false;  // its reader coroutine runs (the stream may not be destroyed)
    bool closed_by_us = false;
    std::optional<time_point> closed_at;  // when the broker's close was seen
    std::string close_cause;
    std::vector<raw_received> inbox;                  // of the current connection only
    std::unique_ptr<asio::steady_timer> reader_done;  // cancelled when the reader ends
};

/// A connection of the scenario: a declared client or a stand-in's own.
struct client_actor {
    std::string name;
    const scenario::client_spec* spec = nullptr;  // null for a stand-in's own connection
    client::client_options options;  // what the client was built with (rebuilt on a change)
    std::unique_ptr<client::async_client> client;
    std::vector<received_message> inbox;
    /// Extra listeners (stand-ins on this connection).
    std::vector<std::function<void(const codec::publish&)>> listeners;
    std::string client_id;
};

class scenario_context {
  public:
    scenario_context(asio::io_context& io, const scenario::scenario& s, const run_options& o);

    asio::io_context& io;
    const scenario::scenario& spec;
    const run_options& options;
    time_point started = clock::now();
    std::chrono::system_clock::time_point started_wall = std::chrono::system_clock::now();
    scenario_result result;

    // Broker
    transport::broker_url broker_url;
    broker::embedded_broker* embedded = nullptr;
    /// "" on the embedded broker; "harness-<run>-<n>/" on an external one.
    std::string prefix;

    std::map<std::string, std::unique_ptr<client_actor>> clients;
    std::map<std::string, std::unique_ptr<raw_actor>> raw_clients;
    std::mt19937_64 random;

    /// Set when the scenario must end (a failure, a component exit, an interrupt).
    std::optional<failure> aborted;
    bool interrupted = false;
    /// The steps are over: background publishers and stand-ins stop, waits end.
    bool finishing = false;
    /// The scenario could not run (broker unreachable, component not startable): verdict error.
    bool setup_error = false;
    /// Start times of steps by id, and of the last publish step (for latency bounds).
    std::map<std::string, time_point> step_started;
    std::optional<time_point> last_publish_started;
    /// Fault rules this scenario added to the embedded broker (removed by a `clear` fault).
    std::vector<std::uint64_t> fault_ids;
    std::uint64_t seq = 0;
    /// Values saved by expect_packet steps (`save:`), for later templates.
    std::map<std::string, boost::json::value> saved;

    // --- Waiting ---------------------------------------------------------------------------
    /// Wakes every wait to re-check.
    void notify();
    /// Waits until `done()` or `deadline` or abort; returns done().
    asio::awaitable<bool> wait_until(std::function<bool()> done, time_point deadline);
    /// Ends the scenario with `f` (the first reason wins) and wakes every wait.
    void abort(failure f);

    // --- Trace and templates ---------------------------------------------------------------
    double since_start(time_point t) const;
    void trace(const std::string& actor, std::string what);
    /// Resolver for templates: built-ins and variables, plus `extra` (trigger values, seq).
    scenario::template_resolver resolver(
        std::function<std::optional<std::string>(std::string_view)> extra = nullptr);
    /// Expands a template; on failure aborts the scenario with `where` and returns nullopt.
    std::optional<std::string> expand(const std::string& raw, const scenario::position& where,
                                      const scenario::template_resolver& resolve);

    // --- Topics on the wire ----------------------------------------------------------------
    std::string to_wire_topic(const std::string& topic) const;
    std::string to_wire_filter(const std::string& filter) const;
    /// The topic as the scenario sees it; nullopt when it is outside the run's prefix.
    std::optional<std::string> from_wire_topic(const std::string& topic) const;

    client_actor* find_client(const std::string& name);

  private:
    std::vector<asio::steady_timer*> waiters_;
};

/// While alive, an interrupt of the run (options.stop) aborts the scenario on its io_context.
class interrupt_hook {
  public:
    explicit interrupt_hook(scenario_context& ctx);
    ~interrupt_hook();
    interrupt_hook(const interrupt_hook&) = delete;
    interrupt_hook& operator=(const interrupt_hook&) = delete;

  private:
    interrupt* stop_;
    std::uint64_t token_ = 0;
};

/// A failure outside the steps (set-up, components, stand-ins). A function rather than braces:
/// GCC 12 rejects brace-initialised failures with string literals inside coroutines.
failure make_failure(std::string message, std::string step, std::string where);

/// A failure at a step: "step N (kind at file:line:col): message".
failure step_failure(const scenario::step& st, std::size_t index, std::string message);

}  // namespace harness::runner
