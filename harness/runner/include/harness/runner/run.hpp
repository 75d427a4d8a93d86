// Running scenarios: one scenario on an io_context of its own (its broker, components, clients,
// stand-ins and steps), and the stand-ins alone against a live broker. Every wait is bounded;
// an interrupt (Ctrl-C) ends a running scenario early, still stopping its components.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "harness/broker/server.hpp"
#include "harness/runner/result.hpp"
#include "harness/scenario/model.hpp"
#include "harness/transport/connect.hpp"
#include "harness/transport/url.hpp"

namespace harness::runner {

/// Lets another thread (a signal handler's) end running scenarios early.
class interrupt {
  public:
    /// Runs every registered hook once and makes later registrations fire at once.
    void fire();
    bool fired() const noexcept { return fired_.load(); }
    /// Registers a hook (which must be safe to call from any thread); returns a token for
    /// remove().
    std::uint64_t add(std::function<void()> hook);
    void remove(std::uint64_t token);

  private:
    std::mutex mutex_;
    std::atomic<bool> fired_{false};
    std::uint64_t next_ = 1;
    std::vector<std::pair<std::uint64_t, std::function<void()>>> hooks_;
};

/// The listener of the embedded broker a scenario gets when no external broker is given.
struct embedded_listener {
    /// mqtt, mqtts, ws or wss, on 127.0.0.1 and a port the kernel picks.
    transport::scheme kind = transport::scheme::mqtt;
    /// mqtts and wss: the broker's certificate chain and key (PEM). The clients verify it
    /// with run_options::tls.
    std::string cert_file;
    std::string key_file;
};

/// The embedded broker's options for `listener`: one listener on 127.0.0.1, port 0.
broker::server_options embedded_server_options(const embedded_listener& listener);

struct run_options {
    /// The broker to use; nullopt: an embedded broker per scenario, listening as `embedded` says.
    std::optional<transport::broker_url> broker;
    embedded_listener embedded;
    /// TLS settings of clients without their own `tls:` (a client's `tls:` replaces them
    /// entirely), and of the harness's internal clients (stand-ins, readiness watchers).
    transport::tls_options tls;
    /// Default bound of expect, wait_log and readiness waits, and of each client request.
    std::chrono::milliseconds timeout{5'000};
    /// Credentials of clients that give none (raw clients: CONNECT packets without a user name).
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::uint64_t seed = 0;
    /// Identifies the run: part of client ids and of the topic prefix on external brokers.
    std::string run_id;
    /// Distinguishes scenarios of one run (topic prefix, client ids).
    std::uint64_t scenario_index = 0;
    /// On an external broker, put the per-run prefix in front of topics; false: topics as
    /// written, for scenarios that talk to a live system (recorded ones).
    bool topic_prefix = true;
    /// Called with each trace line as it happens (for -v); may be null.
    std::function<void(const trace_entry&)> live_trace;
    interrupt* stop = nullptr;
};

/// Runs one scenario to its verdict. Never throws for scenario or network trouble: those become
/// failed or error results.
scenario_result run_scenario(const scenario::scenario& s, const run_options& options);

/// Runs only the stand-ins (and the clients they use) of `s` against options.broker until
/// `duration` has passed (zero: until interrupted), logging each reaction through `log`.
/// Returns an error message when the broker could not be reached, "" otherwise.
std::string run_stand_ins(const scenario::scenario& s, const run_options& options,
                          std::chrono::milliseconds duration,
                          const std::function<void(const std::string&)>& log);

}  // namespace harness::runner
