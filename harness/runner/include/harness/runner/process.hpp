// Components under test as child processes: started with fork + exec in a process group of their
// own, their stdout and stderr read line by line into a bounded log, their exit seen through a
// pidfd, stopped by signal with a grace period. Everything runs on one (single-threaded) executor.
#pragma once

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace harness::runner {

/// What to start and how.
struct process_spec {
    /// The program and its arguments; command[0] is searched on PATH (the child's, with the extra
    /// variables applied) unless it contains a '/'. With `shell`, command[0] is a shell command
    /// line run as `/bin/sh -c command[0]` (further elements become $0, $1, ...).
    std::vector<std::string> command;
    bool shell = false;
    std::string working_dir;  // empty: the harness's own
    /// Added to the harness's environment, replacing variables of the same name.
    std::vector<std::pair<std::string, std::string>> env;
    /// Bounds of the kept output; older lines are dropped (and counted) first.
    std::size_t max_log_lines = 5'000;
    std::size_t max_log_bytes = 1024 * 1024;
};

enum class output_stream { out, err };

/// One line of a component's output.
struct output_line {
    std::uint64_t index = 0;  // 0 for the process's first line, counting both streams
    std::chrono::steady_clock::time_point at;  // when it was read
    output_stream stream = output_stream::out;
    std::string text;  // without the line end ("\n" or "\r\n")
};

/// Why a process did not start.
struct start_error {
    std::error_code error;
    std::string message;  // names the program: "cannot start 'x': No such file or directory ..."
    explicit operator bool() const noexcept { return static_cast<bool>(error); }
};

/// One child process and its process group. Not copyable or movable; the destructor SIGKILLs the
/// group and reaps the child if it still runs, so no process outlives this object.
class process {
  public:
    using clock = std::chrono::steady_clock;

    process(boost::asio::any_io_executor executor, process_spec spec);
    ~process();
    process(const process&) = delete;
    process& operator=(const process&) = delete;

    /// Starts the child (once). Returns an empty start_error on success. A missing program, a
    /// program that cannot be executed or a bad working directory are reported here, not by an
    /// exit status.
    start_error start();

    /// Called with each line as it is read (set before start() not to miss any).
    void on_line(std::function<void(const output_line&)> handler);
    /// Called once with the exit status when the child ends on its own (128 + n when killed by
    /// signal n), after the output it wrote before ending has been read: the moment to fail a
    /// scenario whose component ended early. stop() drops it (an exit it causes is no news). Set
    /// after the child ended, it is called soon (posted to the executor).
    void on_exit(std::function<void(int status)> handler);

    bool started() const noexcept;
    bool running() const noexcept;  // started and not yet seen to end
    pid_t pid() const noexcept;     // 0 before start(); also the process group id
    std::optional<int> exit_status() const noexcept;

    /// Waits until the child ends and returns its exit status (-1 if it never started).
    boost::asio::awaitable<int> wait_exit();

    /// Sends `signal` to the process group, waits up to `grace` for the child to end (and for
    /// its output pipes to close, i.e. for the group's other members to end), then SIGKILLs the
    /// group; anything of the group still left is SIGKILLed too. Returns the exit status (-1 if
    /// it never started). After stop() the child is reaped.
    boost::asio::awaitable<int> stop(int signal, std::chrono::milliseconds grace);

    /// The index the next line will have: a cursor for wait_for_line() that ignores the lines
    /// read so far.
    std::uint64_t line_cursor() const noexcept;

    /// Waits for a line with index >= `from` matching `pattern` (std::regex_search), looking
    /// first at the lines already read (unless dropped from the bounded log). Returns the line,
    /// or nullopt after `timeout`, or at once when no line can come any more (both streams
    /// closed).
    boost::asio::awaitable<std::optional<output_line>> wait_for_line(
        std::regex pattern, std::chrono::milliseconds timeout, std::uint64_t from = 0);

    /// The kept lines (oldest first).
    std::vector<output_line> lines() const;
    std::uint64_t dropped_lines() const noexcept;

    /// The last `max_lines` lines as text for reports, each prefixed "[stdout] " or "[stderr] ",
    /// with a note first when earlier lines were dropped or left out, and any unfinished last
    /// line of a stream at the end.
    std::string log_text(std::size_t max_lines = 200) const;

    /// The command for messages: the shell command line, or the arguments quoted where needed.
    std::string command_line() const;

  private:
    struct impl;
    std::shared_ptr<impl> impl_;
};

/// Tries TCP connects to 127.0.0.1:`port` with a short back-off between attempts until one
/// succeeds (true) or `timeout` has passed (false). Runs on the calling coroutine's executor.
boost::asio::awaitable<bool> wait_port_open(std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace harness::runner
