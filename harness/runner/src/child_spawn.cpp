// The child side of fork + exec, and exit statuses; see child_spawn.hpp.
#include "child_spawn.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

namespace harness::runner::detail {

std::error_code errno_code(int e) {
    return {e, std::system_category()};
}

/// A close-on-exec pipe; false (errno set) when it could not be made.
bool make_pipe(unique_fd& read_end, unique_fd& write_end) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return false;
    read_end = unique_fd(fds[0]);
    write_end = unique_fd(fds[1]);
    return true;
}

namespace {

/// Makes `fd` the child's descriptor `target`, inherited across exec.
bool install_fd(int fd, int target) noexcept {
    if (fd == target)
        return ::fcntl(fd, F_SETFD, 0) == 0;
    return ::dup2(fd, target) == target;  // dup2 leaves the copy without FD_CLOEXEC
}

[[noreturn]] void report_and_exit(int status_fd, child_failure::stage_t stage, int error) noexcept {
    child_failure f;
    f.stage = stage;
    f.error = error;
    const char* p = reinterpret_cast<const char*>(&f);
    std::size_t left = sizeof f;
    while (left > 0) {
        const ssize_t n = ::write(status_fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    ::_exit(127);
}

}  // namespace

/// The child's side of fork(): only async-signal-safe calls from here on.
[[noreturn]] void run_child(const child_setup& s) noexcept {
    // Its own process group, so that a signal to the group reaches its children too.
    ::setpgid(0, 0);
    // Dispositions and mask as a freshly started program expects them: the harness may ignore
    // SIGPIPE or block signals in some thread, and both would be inherited through exec.
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP)
            ::sigaction(sig, &dfl, nullptr);
    }
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);

    if (!install_fd(s.stdin_fd, 0) || !install_fd(s.stdout_fd, 1) || !install_fd(s.stderr_fd, 2))
        report_and_exit(s.status_fd, child_failure::stdio, errno);
    // Descriptors the harness opened without O_CLOEXEC (sockets, files) must not leak into the
    // component: mark everything above stderr close-on-exec (the status pipe already is).
    ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);

    if (s.working_dir != nullptr && ::chdir(s.working_dir) != 0)
        report_and_exit(s.status_fd, child_failure::working_dir, errno);

    // Like execvp(): go on past directories where it is not, remember a permission problem.
    int error = ENOENT;
    bool denied = false;
    for (const char* path : s.paths) {
        ::execve(path, s.argv.data(), s.envp.data());
        const int e = errno;
        if (e == EACCES) {
            denied = true;
        } else if (e != ENOENT && e != ENOTDIR && e != ESTALE && e != ENODEV && e != ETIMEDOUT) {
            error = e;
            denied = false;
            break;
        }
    }
    report_and_exit(s.status_fd, child_failure::exec, denied ? EACCES : error);
}

/// The exit status the way a shell shows it: the code, or 128 + n when killed by signal n.
int status_from_wait(int st) {
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

int status_from_siginfo(const siginfo_t& info) {
    if (info.si_code == CLD_EXITED)
        return info.si_status;
    if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED)
        return 128 + info.si_status;
    return -1;
}

}  // namespace harness::runner::detail
