// Components under test as child processes: fork + exec with a close-on-exec status pipe (so a
// failed exec is an error, not an exit status), output pipes read into a bounded line log, exit
// seen through a pidfd, and stopping by signal to the process group.
//
// All reads of the output pipes happen in read_available(), from the handlers of one executor,
// so lines keep their order even when the exit handler drains the pipes. Asio registers
// descriptors edge-triggered and a descriptor's async_wait() does no speculative check, so every
// wait is preceded by reading until EAGAIN (pipes) or by a non-blocking waitid (pidfd).
#include "harness/runner/process.hpp"

#include "child_spawn.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <deque>
#include <string_view>

extern char** environ;

namespace harness::runner {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr std::size_t read_chunk = 64 * 1024;
/// A "line" longer than this without a line end is cut into pieces of this size.
constexpr std::size_t max_line_length = 64 * 1024;
/// Reads per wake-up of a read loop before it lets other handlers run.
constexpr int reads_per_wakeup = 16;
/// Reads when the child has ended: what it wrote is in the pipe by then.
constexpr int reads_at_exit = 256;

using detail::child_failure;
using detail::child_setup;
using detail::errno_code;
using detail::make_pipe;
using detail::run_child;
using detail::status_from_siginfo;
using detail::status_from_wait;
using detail::unique_fd;

/// `arg` as a shell would need it to stay one word.
std::string shell_quote(const std::string& arg) {
    const bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
    });
    if (plain)
        return arg;
    std::string out = "'";
    for (char c : arg) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    out += '\'';
    return out;
}

std::string_view prefix(output_stream s) {
    return s == output_stream::err ? "[stderr] " : "[stdout] ";
}

}  // namespace

struct process::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, process_spec s)
        : executor(std::move(ex)),
          spec(std::move(s)),
          out(executor),
          err(executor),
          pidfd(executor) {}

    asio::any_io_executor executor;
    process_spec spec;
    asio::posix::stream_descriptor out;
    asio::posix::stream_descriptor err;
    asio::posix::stream_descriptor pidfd;

    bool started = false;
    bool reaped = false;     // waitpid() done: the pid (and group id) may belong to others now
    bool shut_down = false;  // the process object is gone
    pid_t pid = 0;
    std::optional<int> status;

    std::string partial[2];  // an unfinished line per stream
    bool eof[2] = {true, true};
    std::deque<output_line> log;
    std::size_t log_bytes = 0;
    std::uint64_t next_index = 0;
    std::uint64_t dropped = 0;
    std::vector<char> buffer;

    std::function<void(const output_line&)> line_handler;
    std::function<void(int)> exit_handler;

    std::vector<asio::steady_timer*> waiters;

    static clock::time_point now() { return clock::now(); }

    asio::posix::stream_descriptor& descriptor(output_stream s) {
        return s == output_stream::err ? err : out;
    }

    bool output_closed() const { return eof[0] && eof[1]; }

    /// Wakes every coroutine in wait_until() to re-check its condition.
    void notify_all() {
        for (auto* t : waiters)
            t->cancel();
    }

    template <class Done>
    awaitable<bool> wait_until(Done done, clock::time_point deadline) {
        while (!done()) {
            if (now() >= deadline)
                co_return false;
            asio::steady_timer timer(executor, deadline);
            waiters.push_back(&timer);
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            std::erase(waiters, &timer);
        }
        co_return true;
    }

    void add_line(output_stream s, std::string text) {
        output_line line;
        line.index = next_index++;
        line.at = now();
        line.stream = s;
        line.text = std::move(text);
        log_bytes += line.text.size();
        log.push_back(std::move(line));
        while (log.size() > 1 &&
               (log.size() > spec.max_log_lines || log_bytes > spec.max_log_bytes)) {
            log_bytes -= log.front().text.size();
            log.pop_front();
            ++dropped;
        }
        if (line_handler) {
            auto handler = line_handler;  // it may replace itself or end the process object
            handler(log.back());
        }
        notify_all();
    }

    void feed(output_stream s, std::string_view data) {
        auto& part = partial[static_cast<int>(s)];
        while (!data.empty()) {
            const auto nl = data.find('\n');
            const std::size_t take = nl == std::string_view::npos ? data.size() : nl;
            const std::size_t room = max_line_length - part.size();
            if (take > room) {  // too long for one line: cut it
                part.append(data.substr(0, room));
                add_line(s, std::exchange(part, {}));
                data.remove_prefix(room);
                continue;
            }
            part.append(data.substr(0, take));
            if (nl == std::string_view::npos)
                return;
            if (!part.empty() && part.back() == '\r')
                part.pop_back();
            add_line(s, std::exchange(part, {}));
            data.remove_prefix(nl + 1);
        }
    }

    void end_of_stream(output_stream s) {
        const int k = static_cast<int>(s);
        if (eof[k])
            return;
        eof[k] = true;
        boost::system::error_code ignored;
        descriptor(s).close(ignored);
        if (!partial[k].empty())
            add_line(s, std::exchange(partial[k], {}));
        notify_all();
    }

    /// Reads what `s` has now, up to `max_reads` times; false when it stopped for the limit (the
    /// pipe may have more), true at EAGAIN, EOF or an error.
    bool read_available(output_stream s, int max_reads) {
        auto& d = descriptor(s);
        buffer.resize(read_chunk);
        for (int n = 0; n < max_reads; ++n) {
            if (!d.is_open() || eof[static_cast<int>(s)])
                return true;
            const ssize_t got = ::read(d.native_handle(), buffer.data(), buffer.size());
            if (got > 0) {
                feed(s, std::string_view(buffer.data(), static_cast<std::size_t>(got)));
                continue;
            }
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return true;
            end_of_stream(s);  // EOF, or an error that ends reading all the same
            return true;
        }
        return false;
    }

    awaitable<void> read_loop(output_stream s) {
        auto self = shared_from_this();
        auto& d = descriptor(s);
        while (!shut_down && d.is_open()) {
            if (!read_available(s, reads_per_wakeup)) {
                // More to read: let other handlers run first, then go on without waiting (an
                // edge-triggered wait would not fire for data already there).
                co_await asio::post(executor, asio::use_awaitable);
                continue;
            }
            if (shut_down || !d.is_open())
                break;
            const auto [ec] = co_await d.async_wait(asio::posix::descriptor_base::wait_read,
                                                    asio::as_tuple(asio::use_awaitable));
            if (ec == asio::error::operation_aborted)
                break;
        }
    }

    /// Whether the child has ended (then `status` is set); does not reap it, so that its pid
    /// stays the process group's id until reap().
    bool check_exit() {
        if (status)
            return true;
        if (reaped)
            return true;
        siginfo_t info;
        std::memset(&info, 0, sizeof info);
        int r;
        do {
            r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
        } while (r != 0 && errno == EINTR);
        if (r != 0) {
            // ECHILD: someone else reaped it (SIGCHLD ignored, or waitpid(-1) elsewhere).
            status = -1;
            reaped = true;
            return true;
        }
        if (info.si_pid == 0)
            return false;
        status = status_from_siginfo(info);
        return true;
    }

    void exited() {
        boost::system::error_code ignored;
        pidfd.close(ignored);
        // What the child wrote before it ended is in the pipes now: take it in before anyone
        // hears of the exit, so that a report shows the last words.
        read_available(output_stream::out, reads_at_exit);
        read_available(output_stream::err, reads_at_exit);
        notify_all();
        if (exit_handler) {
            auto handler = std::move(exit_handler);
            exit_handler = nullptr;
            handler(*status);
        }
    }

    awaitable<void> watch_exit() {
        auto self = shared_from_this();
        while (!shut_down && !check_exit()) {
            const auto [ec] = co_await pidfd.async_wait(asio::posix::descriptor_base::wait_read,
                                                        asio::as_tuple(asio::use_awaitable));
            if (shut_down || ec)
                co_return;  // closed by shutdown(); nothing else fails on a pidfd
        }
        if (!shut_down)
            exited();
    }

    void kill_group(int sig) {
        if (started && !reaped)
            ::kill(-pid, sig);
    }

    /// Reaps the child, which has ended or has been sent SIGKILL (so this does not block long).
    void reap() {
        if (!started || reaped)
            return;
        int st = 0;
        pid_t r;
        do {
            r = ::waitpid(pid, &st, 0);
        } while (r < 0 && errno == EINTR);
        reaped = true;
        if (!status)
            status = r == pid ? status_from_wait(st) : -1;
    }

    void shutdown() {
        shut_down = true;
        line_handler = nullptr;
        exit_handler = nullptr;
        if (started && !reaped) {
            kill_group(SIGKILL);
            reap();
        }
        boost::system::error_code ignored;
        pidfd.close(ignored);
        out.close(ignored);
        err.close(ignored);
        eof[0] = eof[1] = true;
        notify_all();
    }

    /// Starts `task` from the executor's queue: co_spawn() would run it inline up to its first
    /// suspension, and the handlers must not be called from inside start().
    void spawn(awaitable<void> task) {
        asio::post(executor, [self = shared_from_this(), task = std::move(task)]() mutable {
            asio::co_spawn(self->executor, std::move(task), [self](std::exception_ptr e) {
                if (e)
                    std::rethrow_exception(e);  // a bug: the loops report trouble, never throw
            });
        });
    }

    std::string program_name() const {
        if (spec.shell || spec.command.empty())
            return "/bin/sh -c " + shell_quote(spec.command.empty() ? "" : spec.command[0]);
        return spec.command[0];
    }

    std::string command_line() const {
        if (spec.shell)
            return spec.command.empty() ? std::string() : spec.command[0];
        std::string out;
        for (const auto& a : spec.command) {
            if (!out.empty())
                out += ' ';
            out += shell_quote(a);
        }
        return out;
    }

    start_error fail(std::error_code ec, const std::string& what) const {
        return {ec, "cannot start '" + program_name() + "': " + what};
    }

    start_error start();
};

start_error process::impl::start() {
    if (started)
        return fail(std::make_error_code(std::errc::operation_in_progress), "already started");
    if (spec.command.empty() || (spec.shell && spec.command[0].empty()) ||
        (!spec.shell && spec.command[0].empty()))
        return {std::make_error_code(std::errc::invalid_argument),
                "cannot start a component: the command is empty"};

    // Arguments.
    std::vector<std::string> args;
    if (spec.shell) {
        args = {"/bin/sh", "-c"};
        args.insert(args.end(), spec.command.begin(), spec.command.end());
    } else {
        args = spec.command;
    }

    // Environment: the harness's, with spec.env added or replacing.
    std::vector<std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const auto name = entry.substr(0, entry.find('='));
        const bool replaced = std::any_of(spec.env.begin(), spec.env.end(),
                                          [&](const auto& kv) { return kv.first == name; });
        if (!replaced)
            env.emplace_back(entry);
    }
    for (const auto& [name, value] : spec.env)
        env.push_back(name + "=" + value);

    // Where to look for the program: PATH of the child's environment, as execvp() would.
    std::vector<std::string> paths;
    std::string search_path;
    const std::string& program = args[0];
    if (program.find('/') != std::string::npos) {
        paths.push_back(program);
    } else {
        search_path = "/bin:/usr/bin";
        for (const auto& e : env) {
            if (e.starts_with("PATH="))
                search_path = e.substr(5);
        }
        std::size_t begin = 0;
        while (true) {
            const auto end = search_path.find(':', begin);
            const auto dir =
                search_path.substr(begin, end == std::string::npos ? end : end - begin);
            paths.push_back(dir.empty() ? program : dir + "/" + program);
            if (end == std::string::npos)
                break;
            begin = end + 1;
        }
    }

    unique_fd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (dev_null.get() < 0)
        return fail(errno_code(errno), std::string("/dev/null: ") + std::strerror(errno));
    unique_fd out_r, out_w, err_r, err_w, status_r, status_w;
    if (!make_pipe(out_r, out_w) || !make_pipe(err_r, err_w) || !make_pipe(status_r, status_w)) {
        const int e = errno;
        return fail(errno_code(e), std::string("pipe: ") + std::strerror(e));
    }

    child_setup setup;
    for (auto& a : args)
        setup.argv.push_back(a.data());
    setup.argv.push_back(nullptr);
    for (auto& e : env)
        setup.envp.push_back(e.data());
    setup.envp.push_back(nullptr);
    for (const auto& p : paths)
        setup.paths.push_back(p.c_str());
    setup.working_dir = spec.working_dir.empty() ? nullptr : spec.working_dir.c_str();
    setup.stdin_fd = dev_null.get();
    setup.stdout_fd = out_w.get();
    setup.stderr_fd = err_w.get();
    setup.status_fd = status_w.get();

    const pid_t child = ::fork();
    if (child < 0) {
        const int e = errno;
        return fail(errno_code(e), std::string("fork: ") + std::strerror(e));
    }
    if (child == 0)
        run_child(setup);

    // The parent. The child makes itself a group leader before exec; doing it here as well
    // closes the window before that (EACCES once it has exec'd is fine).
    ::setpgid(child, child);
    dev_null.reset();
    out_w.reset();
    err_w.reset();
    status_w.reset();

    // The status pipe closes at exec (close-on-exec) or brings the reason exec did not happen.
    child_failure failure;
    std::size_t got = 0;
    while (got < sizeof failure) {
        const ssize_t n =
            ::read(status_r.get(), reinterpret_cast<char*>(&failure) + got, sizeof failure - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    if (got == sizeof failure) {
        int st = 0;
        while (::waitpid(child, &st, 0) < 0 && errno == EINTR) {
        }
        const auto ec = errno_code(failure.error);
        const std::string reason = std::strerror(failure.error);
        switch (failure.stage) {
            case child_failure::stdio:
                return fail(ec, "setting up its standard streams: " + reason);
            case child_failure::working_dir:
                return fail(ec, "working directory '" + spec.working_dir + "': " + reason);
            case child_failure::exec:
                break;
        }
        if (!search_path.empty() && failure.error == ENOENT)
            return fail(ec, reason + " (not found on PATH " + search_path + ")");
        return fail(ec, reason);
    }

    pid = child;
    started = true;
    const int pfd = static_cast<int>(::syscall(SYS_pidfd_open, child, 0));
    if (pfd < 0) {
        const int e = errno;
        kill_group(SIGKILL);
        reap();
        return fail(errno_code(e), std::string("pidfd_open: ") + std::strerror(e));
    }
    pidfd.assign(pfd);
    for (auto* fd : {&out_r, &err_r}) {
        const int flags = ::fcntl(fd->get(), F_GETFL);
        ::fcntl(fd->get(), F_SETFL, flags | O_NONBLOCK);
    }
    out.assign(out_r.release());
    err.assign(err_r.release());
    eof[0] = eof[1] = false;

    spawn(read_loop(output_stream::out));
    spawn(read_loop(output_stream::err));
    spawn(watch_exit());
    return {};
}

process::process(asio::any_io_executor executor, process_spec spec)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(spec))) {}

process::~process() {
    impl_->shutdown();
}

start_error process::start() {
    return impl_->start();
}

void process::on_line(std::function<void(const output_line&)> handler) {
    impl_->line_handler = std::move(handler);
}

void process::on_exit(std::function<void(int status)> handler) {
    auto& i = *impl_;
    if (i.status) {
        // Already ended and told: call it soon, not from inside this call.
        asio::post(i.executor, [self = impl_, h = std::move(handler)] {
            if (!self->shut_down)
                h(*self->status);
        });
        return;
    }
    i.exit_handler = std::move(handler);
}

bool process::started() const noexcept {
    return impl_->started;
}

bool process::running() const noexcept {
    return impl_->started && !impl_->status;
}

pid_t process::pid() const noexcept {
    return impl_->pid;
}

std::optional<int> process::exit_status() const noexcept {
    return impl_->status;
}

awaitable<int> process::wait_exit() {
    auto self = impl_;
    auto& i = *self;
    if (!i.started)
        co_return -1;
    co_await i.wait_until([&] { return i.status.has_value(); }, clock::time_point::max());
    co_return *i.status;
}

awaitable<int> process::stop(int signal, std::chrono::milliseconds grace) {
    auto self = impl_;
    auto& i = *self;
    if (!i.started)
        co_return -1;
    i.exit_handler = nullptr;  // an exit caused by stop() is no news
    if (!i.reaped) {
        // The signal goes to the group even when the child has ended already: what it left
        // behind gets the same chance to end cleanly.
        i.kill_group(signal);
        // Done when the child has ended and its output pipes are closed, i.e. nothing else of
        // the group holds them.
        co_await i.wait_until([&] { return i.status.has_value() && i.output_closed(); },
                              impl::now() + grace);
        if (!i.status) {
            i.kill_group(SIGKILL);
            co_await i.wait_until([&] { return i.status.has_value(); }, clock::time_point::max());
        }
        // The child is a zombie until reaped, so its pid still names the group: whatever is
        // left of the group ends now.
        i.kill_group(SIGKILL);
        i.reap();
    }
    co_return i.status.value_or(-1);
}

std::uint64_t process::line_cursor() const noexcept {
    return impl_->next_index;
}

awaitable<std::optional<output_line>> process::wait_for_line(std::regex pattern,
                                                             std::chrono::milliseconds timeout,
                                                             std::uint64_t from) {
    auto self = impl_;
    auto& i = *self;
    std::optional<output_line> found;
    std::uint64_t next = from;
    const auto scan = [&] {
        if (!i.log.empty() && next < i.next_index) {
            const std::uint64_t first = i.log.front().index;
            const std::size_t start = next > first ? static_cast<std::size_t>(next - first) : 0;
            for (std::size_t k = start; k < i.log.size(); ++k) {
                if (std::regex_search(i.log[k].text, pattern)) {
                    found = i.log[k];
                    return true;
                }
            }
        }
        next = std::max(next, i.next_index);
        return false;
    };
    co_await i.wait_until([&] { return scan() || !i.started || i.output_closed(); },
                          impl::now() + timeout);
    co_return found;
}

std::vector<output_line> process::lines() const {
    return {impl_->log.begin(), impl_->log.end()};
}

std::uint64_t process::dropped_lines() const noexcept {
    return impl_->dropped;
}

std::string process::log_text(std::size_t max_lines) const {
    const auto& i = *impl_;
    std::string text;
    const std::size_t shown = std::min(max_lines, i.log.size());
    const std::uint64_t hidden = i.dropped + (i.log.size() - shown);
    if (hidden > 0)
        text += "[... " + std::to_string(hidden) + " earlier lines not shown]\n";
    for (std::size_t k = i.log.size() - shown; k < i.log.size(); ++k) {
        text += prefix(i.log[k].stream);
        text += i.log[k].text;
        text += '\n';
    }
    for (const auto s : {output_stream::out, output_stream::err}) {
        const auto& part = i.partial[static_cast<int>(s)];
        if (!part.empty()) {
            text += prefix(s);
            text += part;
            text += " [no line end yet]\n";
        }
    }
    return text;
}

std::string process::command_line() const {
    return impl_->command_line();
}

}  // namespace harness::runner
