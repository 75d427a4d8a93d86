// A program run as a child process by the tests: spawned with posix_spawn, its stdout
// and stderr captured by a reader thread, waited for with a bounded timeout, and killed when the
// object goes away so a hung client or broker never outlives its test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace harness::test_support {

/// The absolute path of `name` (searched on PATH unless it contains a '/'), or nullopt when no
/// executable file of that name exists.
std::optional<std::string> find_executable(const std::string& name);

class child_process {
  public:
    /// Starts `program` (searched on PATH) with `args`; stdin reads /dev/null. Throws
    /// std::system_error when the program cannot be started.
    child_process(std::string program, std::vector<std::string> args);
    ~child_process();

    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    /// Waits at most `timeout` for the program to exit; its exit status (128 + signal number
    /// when killed by a signal), or nullopt when it is still running.
    std::optional<int> wait_for(std::chrono::milliseconds timeout);

    /// Waits at most `timeout` until stdout contains `needle`; false when it did not (or the
    /// program exited first).
    bool wait_for_output(std::string_view needle, std::chrono::milliseconds timeout);
    /// Sends SIGTERM, waits at most `grace`, then SIGKILL; returns the exit status.
    int stop(std::chrono::milliseconds grace = std::chrono::milliseconds{2000});
    /// Sends `signal` (e.g. SIGKILL for an abrupt end) unless the program already exited.
    void send_signal(int signal);
    /// The process id, e.g. for /proc/<pid>/status; valid until the program exits.
    pid_t pid() const noexcept { return pid_; }

    bool running() const;
    std::string output() const;  // stdout so far
    std::string errors() const;  // stderr so far
    /// The command line, for messages.
    const std::string& command() const noexcept { return command_; }

  private:
    void read_until_exit(int out_fd, int err_fd);

    std::string command_;
    pid_t pid_ = -1;
    mutable std::mutex mutex_;
    std::condition_variable exited_cv_;
    std::string out_;
    std::string err_;
    std::optional<int> status_;
    std::thread reader_;
};

}  // namespace harness::test_support
