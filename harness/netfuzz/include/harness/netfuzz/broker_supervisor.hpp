// The broker under fuzzing as a child process (`--broker-cmd "COMMAND {port}"`): started on a
// free port, watched for exit, signals, sanitizer reports on its output and memory growth, and
// restarted after a finding. Built on runner::process; runs on one executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harness::netfuzz {

struct supervisor_options {
    /// A shell command line; every `{port}` becomes the port the broker must listen on.
    std::string command;
    /// How long the broker may take until its port accepts connections.
    std::chrono::milliseconds start_timeout{10'000};
    /// Added to the broker's environment (replacing variables of the same name).
    std::vector<std::pair<std::string, std::string>> env;
};

/// Why the broker is no longer usable.
struct broker_failure {
    /// The exit status (128 + n when killed by signal n), when it ended.
    std::optional<int> exit_status;
    /// The first sanitizer report on its output (AddressSanitizer, LeakSanitizer, UBSan
    /// "runtime error:"), whole, when there is one; empty otherwise.
    std::string sanitizer_report;
    /// The last lines of its output, for the finding's report.
    std::string log_tail;
};

class broker_supervisor {
  public:
    broker_supervisor(boost::asio::any_io_executor executor, supervisor_options options);
    ~broker_supervisor();

    /// Picks a free port, starts the command and waits until the port accepts a connection (a
    /// broker still running from before is stopped first). Returns an empty string on success,
    /// else what went wrong (start failure, exit before listening, timeout) with the tail of the
    /// broker's output. A broker that exits saying its port is in use (taken between picking and
    /// listening) is started again on another port, up to 3 times.
    boost::asio::awaitable<std::string> start();
    /// Stops the running broker (SIGTERM, then SIGKILL after a grace period) and starts a new one
    /// on a new free port; same result as start().
    boost::asio::awaitable<std::string> restart();
    /// Stops it for good.
    boost::asio::awaitable<void> stop();

    std::uint16_t port() const noexcept;
    /// Set once the broker has exited or printed a complete sanitizer report (up to its
    /// "SUMMARY:" or "==PID==ABORTING" line; an ASan build may keep running for a moment, or exit
    /// with status 1, so exit_status may still be empty then); reset by restart(). An exit caused
    /// by stop() or restart() is no failure.
    std::optional<broker_failure> failure() const;
    /// Waits up to `timeout` for failure() to be set (the output of a dying process arrives a
    /// little after its last answer); returns it or nullopt.
    boost::asio::awaitable<std::optional<broker_failure>> wait_failure(
        std::chrono::milliseconds timeout);
    /// The resident set size of the broker's process group in bytes (0 when unknown or not
    /// running).
    std::uint64_t rss_bytes() const;
    /// The command line as run, with the port filled in (before start(): as given).
    std::string command_line() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

/// A short, stable signature of a crash for deduplication. With a sanitizer report: the error
/// kind (numbers dropped) and the top 3 frames inside the program (function without parameters,
/// file name and line; addresses dropped), e.g.
/// "heap-use-after-free | buggy::handle_packet buggy.cpp:42 < buggy::serve buggy.cpp:88"; the exit
/// status is left out then, as it may not be known yet when the report is complete. Without one:
/// the signal or exit status, "signal SEGV" or "exit 3".
std::string crash_signature(const broker_failure& f);

/// Whether an output line starts a sanitizer report (AddressSanitizer, LeakSanitizer, UBSan's
/// "runtime error:", ...).
bool starts_sanitizer_report(std::string_view line);

}  // namespace harness::netfuzz
