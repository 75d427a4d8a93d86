// Crash signatures for deduplicating findings: the error kind and the top frames of a sanitizer
// report, or the signal or exit status when there is no report. Everything that changes from one
// run of the same bug to the next (addresses under ASLR, process and thread ids, values of the
// fuzzed input in UBSan messages, columns) is left out.
#include <algorithm>
#include <csignal>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/netfuzz/broker_supervisor.hpp"

namespace harness::netfuzz {

namespace {

/// How many frames of the first stack go into a signature.
constexpr std::size_t signature_frames = 3;

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        lines.push_back(text.substr(0, nl));
        if (nl == std::string_view::npos)
            break;
        text.remove_prefix(nl + 1);
    }
    return lines;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_hex_digit(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// Whether `word` is a number: decimal (with an optional sign), hexadecimal "0x..", or either
/// followed by punctuation such as "," or ":".
bool is_number(std::string_view word) {
    while (!word.empty() && (word.back() == ',' || word.back() == ':' || word.back() == ';' ||
                             word.back() == '.' || word.back() == ')'))
        word.remove_suffix(1);
    while (!word.empty() && (word.front() == '(' || word.front() == '-' || word.front() == '+'))
        word.remove_prefix(1);
    if (word.empty())
        return false;
    if (word.size() > 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
        for (char c : word.substr(2))
            if (!is_hex_digit(c))
                return false;
        return true;
    }
    for (char c : word)
        if (!is_digit(c))
            return false;
    return true;
}

/// `text` without its numbers (each a word of its own) and parenthesised remarks such as
/// "(pc 0x.. bp 0x.. sp 0x.. T0)" or "(pid=1234)", spaces collapsed.
std::string without_numbers(std::string_view text) {
    std::string out;
    int depth = 0;
    bool quoted = false;  // inside '...' (a type name, which may have parentheses)
    std::size_t k = 0;
    while (k < text.size()) {
        if (text[k] == ' ') {
            ++k;
            continue;
        }
        std::size_t end = text.find(' ', k);
        if (end == std::string_view::npos)
            end = text.size();
        const auto word = text.substr(k, end - k);
        k = end;
        const bool was_quoted = quoted;
        for (char c : word)
            quoted = c == '\'' ? !quoted : quoted;
        if (was_quoted) {  // part of a quoted name: kept as it is
            out += ' ';
            out += word;
            continue;
        }
        // A remark in parentheses starts with a word beginning "(" at the top level.
        if (depth == 0 && word.front() == '(' && !out.empty()) {
            for (char c : word)
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth < 0)
                depth = 0;
            continue;
        }
        if (depth > 0) {
            for (char c : word)
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth < 0)
                depth = 0;
            continue;
        }
        if (is_number(word))
            continue;
        if (!out.empty())
            out += ' ';
        out += word;
    }
    while (!out.empty() && (out.back() == ':' || out.back() == ' ' || out.back() == ','))
        out.pop_back();
    return out;
}

std::string_view basename(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// "file:line:col" or "file:line" as "file:line" with the file's directories dropped; empty
/// when `location` is not of that form.
std::string file_and_line(std::string_view location) {
    auto colon = location.rfind(':');
    if (colon == std::string_view::npos)
        return {};
    auto number = location.substr(colon + 1);
    const auto all_digits = [](std::string_view s) {
        if (s.empty())
            return false;
        for (char c : s)
            if (!is_digit(c))
                return false;
        return true;
    };
    if (!all_digits(number))
        return {};
    // A column after the line: drop it.
    const auto before = location.substr(0, colon);
    const auto colon2 = before.rfind(':');
    if (colon2 != std::string_view::npos && all_digits(before.substr(colon2 + 1))) {
        location = before;
        colon = colon2;
        number = location.substr(colon + 1);
    }
    const auto file = basename(location.substr(0, colon));
    if (file.empty())
        return {};
    return std::string(file) + ":" + std::string(number);
}

/// The function of a frame without its parameter list and trailing qualifiers:
/// "ns::f(int) const" becomes "ns::f"; "(anonymous namespace)::g()" becomes
/// "(anonymous namespace)::g".
std::string_view without_parameters(std::string_view function) {
    for (bool changed = true; changed;) {
        changed = false;
        for (std::string_view q : {" const", " volatile", " &&", " &", " noexcept"}) {
            if (function.ends_with(q)) {
                function.remove_suffix(q.size());
                changed = true;
            }
        }
    }
    if (function.empty() || function.back() != ')')
        return function;
    int depth = 0;
    for (std::size_t k = function.size(); k-- > 0;) {
        if (function[k] == ')')
            ++depth;
        else if (function[k] == '(' && --depth == 0)
            return k == 0 ? function : function.substr(0, k);
    }
    return function;
}

/// One frame of a sanitizer stack: "#3 0x55d0c0 in ns::f(int) /src/f.cpp:12:7",
/// "#4 0x7f12 in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x2724a)" or
/// "#5 0x55d0 (/usr/bin/broker+0x1234)", each perhaps with " (BuildId: ...)" at the end.
struct frame {
    unsigned number = 0;
    std::string function;  // as printed, may be empty
    std::string location;  // "file:line:col" or "file:line", may be empty
    std::string module;    // "/path/lib.so+0x..." without the parentheses, may be empty
};

std::optional<frame> parse_frame(std::string_view line) {
    line = trim(line);
    if (line.size() < 2 || line[0] != '#' || !is_digit(line[1]))
        return std::nullopt;
    frame f;
    std::size_t k = 1;
    while (k < line.size() && is_digit(line[k])) {
        f.number = f.number * 10 + static_cast<unsigned>(line[k] - '0');
        ++k;
    }
    line = trim(line.substr(k));
    // The address.
    if (line.starts_with("0x")) {
        const auto space = line.find(' ');
        line = space == std::string_view::npos ? std::string_view() : trim(line.substr(space));
    }
    // A build id at the end.
    if (line.ends_with(")")) {
        const auto build = line.rfind(" (BuildId:");
        if (build != std::string_view::npos)
            line = trim(line.substr(0, build));
    }
    // The module and offset at the end, in parentheses (ASan: instead of a source location;
    // TSan: after it).
    if (line.ends_with(")")) {
        const auto open = line.rfind('(');
        if (open != std::string_view::npos) {
            const auto inside = line.substr(open + 1, line.size() - open - 2);
            if (inside.find("+0x") != std::string_view::npos &&
                (open == 0 || line[open - 1] == ' ')) {
                f.module = std::string(inside);
                line = trim(line.substr(0, open));
            }
        }
    }
    if (line.starts_with("in "))
        line.remove_prefix(3);
    else if (line == "in")
        line = {};
    if (!line.empty()) {
        const auto space = line.rfind(' ');
        if (space != std::string_view::npos) {
            const auto last = line.substr(space + 1);
            if (!file_and_line(last).empty()) {
                f.location = std::string(last);
                line = trim(line.substr(0, space));
            }
        }
    }
    f.function = std::string(trim(line));
    return f;
}

/// Frames of the sanitizer runtime, the C library and the C++ runtime: where the program went
/// wrong is below them.
bool is_runtime_frame(const frame& f) {
    for (std::string_view prefix :
         {"__asan", "__lsan", "__ubsan", "__tsan", "__msan", "__hwasan", "__sanitizer",
          "__interceptor", "___interceptor", "__libc_start", "_start", "__GI_", "__pthread_",
          "start_thread", "clone"}) {
        if (f.function.starts_with(prefix))
            return true;
    }
    for (std::string_view part :
         {"libasan.so", "liblsan.so", "libubsan.so", "libtsan.so", "libhwasan.so", "libclang_rt.",
          "libc.so", "libpthread.so", "ld-linux", "libstdc++.so", "libgcc_s.so", "libm.so"}) {
        if (f.module.find(part) != std::string::npos)
            return true;
    }
    for (std::string_view part : {"/libsanitizer/", "compiler-rt/lib/", "sysdeps/", "/nptl/",
                                  "/csu/", "libc-start", "/glibc"}) {
        if (f.location.find(part) != std::string::npos)
            return true;
    }
    return false;
}

/// A frame as it goes into a signature: "ns::f f.cpp:12", "ns::f" or "broker+0x1234".
std::string frame_text(const frame& f) {
    std::string text(without_parameters(f.function));
    const auto where = file_and_line(f.location);
    if (!where.empty())
        text += text.empty() ? where : " " + where;
    if (text.empty() && !f.module.empty()) {
        // No symbol: the offset inside the module is the same from run to run.
        text = std::string(basename(f.module));
    }
    return text;
}

std::string signal_name(int n) {
    switch (n) {
        case SIGHUP:
            return "HUP";
        case SIGINT:
            return "INT";
        case SIGQUIT:
            return "QUIT";
        case SIGILL:
            return "ILL";
        case SIGTRAP:
            return "TRAP";
        case SIGABRT:
            return "ABRT";
        case SIGBUS:
            return "BUS";
        case SIGFPE:
            return "FPE";
        case SIGKILL:
            return "KILL";
        case SIGUSR1:
            return "USR1";
        case SIGSEGV:
            return "SEGV";
        case SIGUSR2:
            return "USR2";
        case SIGPIPE:
            return "PIPE";
        case SIGALRM:
            return "ALRM";
        case SIGTERM:
            return "TERM";
        case SIGSYS:
            return "SYS";
        case SIGXCPU:
            return "XCPU";
        case SIGXFSZ:
            return "XFSZ";
        default:
            return std::to_string(n);
    }
}

std::string status_text(std::optional<int> status) {
    if (!status)
        return "no exit";
    if (*status > 128 && *status <= 128 + 64)
        return "signal " + signal_name(*status - 128);
    if (*status < 0)
        return "exit status unknown";
    return "exit " + std::to_string(*status);
}

/// The error kind from the first line of a report.
std::string error_kind(std::string_view line) {
    auto ubsan = line.find("runtime error:");
    const auto sanitizer = line.find("Sanitizer: ");
    if (sanitizer != std::string_view::npos &&
        (ubsan == std::string_view::npos || sanitizer < ubsan)) {
        auto kind = line.substr(sanitizer + 11);
        for (std::string_view cut : {" on address ", " at pc ", " (pc ", " in thread "}) {
            const auto at = kind.find(cut);
            if (at != std::string_view::npos)
                kind = kind.substr(0, at);
        }
        return without_numbers(kind);
    }
    if (ubsan != std::string_view::npos)
        return without_numbers(line.substr(ubsan));
    return without_numbers(line);
}

}  // namespace

bool starts_sanitizer_report(std::string_view line) {
    static constexpr std::string_view markers[] = {
        "ERROR: AddressSanitizer",
        "ERROR: LeakSanitizer",
        "ERROR: MemorySanitizer",
        "ERROR: HWAddressSanitizer",
        "ERROR: UndefinedBehaviorSanitizer",
        "WARNING: ThreadSanitizer",
        "WARNING: MemorySanitizer",
        "runtime error:",
    };
    return std::any_of(std::begin(markers), std::end(markers),
                       [&](std::string_view m) { return line.find(m) != std::string_view::npos; });
}

std::string crash_signature(const broker_failure& f) {
    const auto lines = split_lines(f.sanitizer_report);
    std::size_t first = lines.size();
    for (std::size_t k = 0; k < lines.size() && first == lines.size(); ++k) {
        if (starts_sanitizer_report(lines[k]))
            first = k;
    }
    if (first == lines.size())
        return status_text(f.exit_status);

    // With a report, the exit status is left out: it is the sanitizer's (the same for every
    // report) and may not be known yet when the report is complete.
    std::string signature = error_kind(lines[first]);

    // The top frames of the first stack after the error line.
    std::vector<std::string> frames;
    bool in_stack = false;
    for (std::size_t k = first + 1; k < lines.size() && frames.size() < signature_frames; ++k) {
        const auto parsed = parse_frame(lines[k]);
        if (!parsed) {
            if (in_stack)
                break;  // the first stack has ended
            continue;
        }
        if (in_stack && parsed->number == 0)
            break;  // a second stack
        in_stack = true;
        if (is_runtime_frame(*parsed))
            continue;
        auto text = frame_text(*parsed);
        if (!text.empty())
            frames.push_back(std::move(text));
    }
    // A UBSan report without a stack: its source location stands in for the frames.
    if (frames.empty()) {
        const auto at = lines[first].find(": runtime error:");
        if (at != std::string_view::npos) {
            const auto where = file_and_line(trim(lines[first].substr(0, at)));
            if (!where.empty())
                frames.push_back(where);
        }
    }
    if (!frames.empty()) {
        signature += " |";
        for (std::size_t k = 0; k < frames.size(); ++k) {
            signature += k == 0 ? " " : " < ";
            signature += frames[k];
        }
    }
    return signature;
}

}  // namespace harness::netfuzz
