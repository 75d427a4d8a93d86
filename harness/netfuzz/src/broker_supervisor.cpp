// The broker under fuzzing as a child process: a free port picked, `{port}` filled in, the
// command run by the shell (runner::process), the port polled until it accepts connections, the
// output watched for sanitizer reports, the exit seen, the process group's memory measured.
//
// The free port is found by binding a socket to 127.0.0.1:0 and closing it again before the
// broker starts, so another process may take the port in between. A broker that then fails to
// listen ("Address already in use" in its output) is started again on another port; one that
// comes up while something else holds the port is not detected (the window is short and the
// kernel picks ephemeral ports at random).
#include "harness/netfuzz/broker_supervisor.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

#include "harness/runner/process.hpp"

namespace harness::netfuzz {

namespace asio = boost::asio;
using asio::awaitable;
using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

/// Starts on a fresh port after the broker found its port taken.
constexpr int max_start_attempts = 3;
/// Output lines in broker_failure::log_tail and in start() errors.
constexpr std::size_t tail_lines = 50;
/// Bounds of a kept sanitizer report; the rest is left out.
constexpr std::size_t max_report_lines = 400;
constexpr std::size_t max_report_bytes = 64 * 1024;
/// How long port probes run before the supervisor looks at the process again.
constexpr std::chrono::milliseconds probe_slice = 100ms;
/// The grace period between SIGTERM and SIGKILL when stopping.
constexpr std::chrono::milliseconds stop_grace = 2'000ms;

bool starts_report(std::string_view line) {
    return starts_sanitizer_report(line);
}

/// "==1234==ABORTING" or "SUMMARY: AddressSanitizer: ...": the last line of a report.
bool ends_report(std::string_view line) {
    while (!line.empty() && line.front() == ' ')
        line.remove_prefix(1);
    return line.starts_with("SUMMARY:") ||
           (line.starts_with("==") && line.find("==ABORTING") != std::string_view::npos);
}

/// Whether the output says the port was taken.
bool port_was_taken(std::string_view log) {
    return log.find("Address already in use") != std::string_view::npos ||
           log.find("address already in use") != std::string_view::npos ||
           log.find("EADDRINUSE") != std::string_view::npos;
}

/// A loopback port that was free a moment ago, or 0 with `error` set.
std::uint16_t pick_free_port(std::string& error) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = std::string("cannot pick a free port: socket: ") + std::strerror(errno);
        return 0;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = 0;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool ok = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    const int e = errno;
    ::close(fd);
    if (!ok) {
        error = std::string("cannot pick a free port: ") + std::strerror(e);
        return 0;
    }
    return ntohs(address.sin_port);
}

std::string with_port(std::string command, std::uint16_t port) {
    const std::string placeholder = "{port}";
    const std::string value = std::to_string(port);
    for (auto at = command.find(placeholder); at != std::string::npos;
         at = command.find(placeholder, at + value.size()))
        command.replace(at, placeholder.size(), value);
    return command;
}

/// The process group of process `pid` from /proc/PID/stat, or -1.
pid_t process_group_of(const std::string& pid) {
    std::ifstream in("/proc/" + pid + "/stat");
    std::string stat;
    if (!std::getline(in, stat))
        return -1;
    // "PID (COMM) STATE PPID PGRP ...": COMM may hold spaces and parentheses.
    const auto close = stat.rfind(')');
    if (close == std::string::npos)
        return -1;
    std::string_view rest(stat);
    rest.remove_prefix(close + 1);
    int field = 0;
    std::size_t k = 0;
    while (k < rest.size()) {
        while (k < rest.size() && rest[k] == ' ')
            ++k;
        auto end = rest.find(' ', k);
        if (end == std::string_view::npos)
            end = rest.size();
        if (++field == 3) {  // state, ppid, pgrp
            long value = -1;
            std::from_chars(rest.data() + k, rest.data() + end, value);
            return static_cast<pid_t>(value);
        }
        k = end;
    }
    return -1;
}

/// The resident set of process `pid` in bytes, from /proc/PID/statm (0 when unknown).
std::uint64_t resident_bytes(const std::string& pid) {
    std::ifstream in("/proc/" + pid + "/statm");
    std::uint64_t size = 0;
    std::uint64_t resident = 0;
    if (!(in >> size >> resident))
        return 0;
    const long page = ::sysconf(_SC_PAGESIZE);
    return resident * static_cast<std::uint64_t>(page > 0 ? page : 4096);
}

}  // namespace

struct broker_supervisor::impl {
    impl(asio::any_io_executor ex, supervisor_options o)
        : executor(std::move(ex)), options(std::move(o)) {}
    ~impl() { process.reset(); }  // first: its handlers point here
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;

    asio::any_io_executor executor;
    supervisor_options options;
    std::unique_ptr<runner::process> process;
    /// Counts started processes: handlers of an earlier one are ignored.
    std::uint64_t generation = 0;
    std::uint16_t port = 0;

    enum class report_state { none, collecting, complete };
    report_state report = report_state::none;
    std::string report_text;
    std::size_t report_lines = 0;
    std::optional<int> exit_status;
    bool failed = false;

    std::vector<asio::steady_timer*> waiters;

    void clear_failure() {
        report = report_state::none;
        report_text.clear();
        report_lines = 0;
        exit_status.reset();
        failed = false;
    }

    void set_failed() {
        failed = true;
        for (auto* t : waiters)
            t->cancel();
    }

    void complete_report() {
        if (report != report_state::collecting)
            return;
        report = report_state::complete;
        set_failed();
    }

    void add_report_line(const std::string& text) {
        report_text += text;
        report_text += '\n';
        ++report_lines;
    }

    void on_line(std::uint64_t gen, const runner::output_line& line) {
        if (gen != generation)
            return;
        switch (report) {
            case report_state::none:
                if (starts_report(line.text)) {
                    report = report_state::collecting;
                    add_report_line(line.text);
                    if (ends_report(line.text))
                        complete_report();
                }
                break;
            case report_state::collecting:
                if (starts_report(line.text)) {
                    // The next report: the first one had no closing line.
                    complete_report();
                    break;
                }
                if (report_lines >= max_report_lines ||
                    report_text.size() + line.text.size() > max_report_bytes) {
                    report_text += "[... the rest of the report left out]\n";
                    complete_report();
                    break;
                }
                add_report_line(line.text);
                if (ends_report(line.text))
                    complete_report();
                break;
            case report_state::complete:
                break;
        }
    }

    void on_exit(std::uint64_t gen, int status) {
        if (gen != generation)
            return;
        exit_status = status;
        if (report == report_state::collecting)
            report = report_state::complete;  // the report ends with the process
        set_failed();
    }

    std::optional<broker_failure> failure() const {
        if (!failed)
            return std::nullopt;
        broker_failure f;
        f.exit_status = exit_status;
        if (report == report_state::complete)
            f.sanitizer_report = report_text;
        if (process)
            f.log_tail = process->log_text(tail_lines);
        return f;
    }

    std::string describe(std::string_view what) const {
        std::string text(what);
        text += "\ncommand: ";
        text += process ? process->command_line() : options.command;
        const auto log = process ? process->log_text(tail_lines) : std::string();
        if (log.empty()) {
            text += "\n(no output)";
        } else {
            text += "\noutput:\n";
            text += log;
            while (!text.empty() && text.back() == '\n')
                text.pop_back();
        }
        return text;
    }

    /// Stops the current process, if any; a report it printed on the way out still counts.
    awaitable<void> stop_process() {
        if (!process || !process->started())
            co_return;
        const bool was_running = process->running();
        const int status = co_await process->stop(SIGTERM, stop_grace);
        if (was_running && report == report_state::collecting) {
            exit_status = status;
            complete_report();
        }
    }

    awaitable<std::string> start();

    std::uint64_t rss_bytes() const;
};

#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports a false -Wmismatched-new-delete on coroutine frames.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

awaitable<std::string> broker_supervisor::impl::start() {
    if (process && process->running())
        co_await stop_process();
    if (options.command.find("{port}") == std::string::npos)
        co_return "the broker command has no {port} to put the port in: " + options.command;

    std::string error;
    for (int attempt = 1; attempt <= max_start_attempts; ++attempt) {
        ++generation;
        clear_failure();
        process.reset();
        port = pick_free_port(error);
        if (port == 0)
            co_return error;

        runner::process_spec spec;
        spec.command.push_back(with_port(options.command, port));
        spec.shell = true;
        spec.env = options.env;
        process = std::make_unique<runner::process>(executor, std::move(spec));
        const auto gen = generation;
        process->on_line([this, gen](const runner::output_line& l) { on_line(gen, l); });
        process->on_exit([this, gen](int status) { on_exit(gen, status); });
        if (const auto e = process->start())
            co_return e.message;

        const auto deadline = clock::now() + options.start_timeout;
        bool listening = false;
        while (process->running()) {
            const auto now = clock::now();
            if (now >= deadline)
                break;
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
            if (co_await runner::wait_port_open(port, std::min(left, probe_slice))) {
                listening = true;
                break;
            }
        }
        if (listening && process->running())
            co_return std::string();

        if (process->running()) {
            const auto what = "the broker did not accept connections on port " +
                              std::to_string(port) + " within the start timeout of " +
                              std::to_string(options.start_timeout.count()) + " ms";
            co_await process->stop(SIGKILL, stop_grace);
            co_return describe(what);
        }
        const int status = process->exit_status().value_or(-1);
        error = describe("the broker exited with status " + std::to_string(status) +
                         " before accepting connections on port " + std::to_string(port));
        if (!port_was_taken(process->log_text(tail_lines)))
            co_return error;
        // The port was taken between picking and listening: once more on another one.
    }
    co_return error;
}

std::uint64_t broker_supervisor::impl::rss_bytes() const {
    if (!process || !process->running())
        return 0;
    const pid_t group = process->pid();
    std::uint64_t total = 0;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end;
         it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (name.empty() ||
            !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        if (process_group_of(name) == group)
            total += resident_bytes(name);
    }
    return total;
}

broker_supervisor::broker_supervisor(asio::any_io_executor executor, supervisor_options options)
    : impl_(std::make_unique<impl>(std::move(executor), std::move(options))) {}

// The process's destructor SIGKILLs the group and reaps the child.
broker_supervisor::~broker_supervisor() = default;

awaitable<std::string> broker_supervisor::start() {
    return impl_->start();
}

awaitable<std::string> broker_supervisor::restart() {
    auto& i = *impl_;
    ++i.generation;  // what the old broker says on the way out is no news
    co_await i.stop_process();
    i.clear_failure();
    co_return co_await i.start();
}

awaitable<void> broker_supervisor::stop() {
    co_await impl_->stop_process();
}

awaitable<std::optional<broker_failure>> broker_supervisor::wait_failure(
    std::chrono::milliseconds timeout) {
    auto& i = *impl_;
    const auto deadline = clock::now() + timeout;
    // A process that is not running any more and has not failed never will.
    while (!i.failed && i.process && i.process->running() && clock::now() < deadline) {
        asio::steady_timer timer(i.executor, deadline);
        i.waiters.push_back(&timer);
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        std::erase(i.waiters, &timer);
    }
    co_return i.failure();
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

std::uint16_t broker_supervisor::port() const noexcept {
    return impl_->port;
}

std::optional<broker_failure> broker_supervisor::failure() const {
    return impl_->failure();
}

std::uint64_t broker_supervisor::rss_bytes() const {
    return impl_->rss_bytes();
}

std::string broker_supervisor::command_line() const {
    return impl_->process ? impl_->process->command_line() : impl_->options.command;
}

}  // namespace harness::netfuzz
