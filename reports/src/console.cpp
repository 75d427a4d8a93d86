// Console output of a run: progress lines, failure detail and the summary, with optional ANSI
// colours. Numbers are formatted here (not by the stream) so the stream's locale cannot change
// them, and every piece of untrusted text passes through printable().
#include "harness/reports/console.hpp"

#include <string>
#include <string_view>

#include "harness/reports/text.hpp"

namespace harness::reports {

namespace {

using runner::run_result;
using runner::scenario_result;
using runner::verdict;

constexpr std::size_t log_tail_lines = 20;

namespace ansi {
constexpr std::string_view reset = "\x1b[0m";
constexpr std::string_view bold = "\x1b[1m";
constexpr std::string_view dim = "\x1b[2m";
constexpr std::string_view red = "\x1b[31m";
constexpr std::string_view green = "\x1b[32m";
constexpr std::string_view yellow = "\x1b[33m";
constexpr std::string_view magenta = "\x1b[35m";
}  // namespace ansi

/// `text` wrapped in `code` and a reset when colours are on.
std::string paint(bool color, std::string_view code, std::string_view text) {
    if (!color)
        return std::string(text);
    std::string out;
    out.reserve(code.size() + text.size() + ansi::reset.size());
    out.append(code).append(text).append(ansi::reset);
    return out;
}

std::string_view label(verdict v) {
    switch (v) {
        case verdict::passed:
            return "PASS ";
        case verdict::failed:
            return "FAIL ";
        case verdict::error:
            return "ERROR";
        case verdict::skipped:
            return "SKIP ";
    }
    return "?    ";
}

std::string_view colour_of(verdict v) {
    switch (v) {
        case verdict::passed:
            return ansi::green;
        case verdict::failed:
            return ansi::red;
        case verdict::error:
            return ansi::magenta;
        case verdict::skipped:
            return ansi::yellow;
    }
    return ansi::reset;
}

/// "file › name (attempt N)", made printable.
std::string title(const scenario_result& s) {
    return printable(s.file) + " \u203a " + printable(display_name(s));
}

/// Each line of `text` (CR LF or LF endings) after `indent`, made printable.
void print_lines(std::ostream& out, std::string_view text, std::string_view indent) {
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        out << indent << printable(line) << '\n';
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
}

void print_components(std::ostream& out, const scenario_result& s, bool color) {
    for (const auto& c : s.components) {
        std::string heading = "component " + printable(c.name);
        if (!c.command.empty())
            heading += ": " + printable(c.command);
        if (c.exit_status)
            heading += " (exit status " + std::to_string(*c.exit_status) + ")";
        const bool failed = c.exit_status && *c.exit_status != 0;
        out << "  " << paint(color && failed, ansi::red, heading);
        if (c.output.empty()) {
            out << ", no output\n";
            continue;
        }
        out << ", last lines:\n";
        print_lines(out, last_lines(c.output, log_tail_lines), "    ");
    }
}

/// "3 passed", coloured when not zero.
std::string count_text(std::size_t n, std::string_view what, std::string_view code, bool color) {
    const std::string text = std::to_string(n) + " " + std::string(what);
    return n == 0 ? text : paint(color, code, text);
}

}  // namespace

void print_progress(std::ostream& out, const scenario_result& s, bool color) {
    std::string line = paint(color, colour_of(s.outcome), label(s.outcome));
    line += " " + title(s) + "  ";
    if (s.outcome == verdict::skipped && !s.skip_reason.empty())
        line += "(" + printable(one_line(s.skip_reason)) + ")";
    else
        line += paint(color, ansi::dim, "(" + format_fixed(s.seconds, 2) + " s)");
    out << line << '\n';
    if ((s.outcome == verdict::failed || s.outcome == verdict::error) && s.fail)
        out << "      " << printable(one_line(s.fail->message)) << '\n';
}

void print_failure(std::ostream& out, const scenario_result& s, bool color) {
    if (s.outcome != verdict::failed && s.outcome != verdict::error)
        return;
    const std::string heading = std::string(label(s.outcome)) + " " + title(s);
    out << '\n' << paint(color, colour_of(s.outcome), "=== " + heading + " ===") << '\n';
    if (!s.fail) {
        out << "  (no detail recorded)\n";
    } else {
        const auto& f = *s.fail;
        out << "  " << paint(color, ansi::bold, printable(one_line(f.message))) << '\n';
        if (!f.where.empty() || !f.step.empty()) {
            out << "  at " << printable(f.where.empty() ? "?" : f.where);
            if (!f.step.empty())
                out << ", " << printable(f.step) << " step";
            out << '\n';
        }
        if (!f.expected.empty()) {
            out << "  expected:\n";
            print_lines(out, f.expected, "    ");
        }
        if (!f.expected.empty() || !f.seen.empty()) {
            out << "  seen:\n";
            for (const auto& m : f.seen)
                out << "    " << printable(describe(m)) << '\n';
            if (f.seen.empty())
                out << "    nothing\n";
        }
    }
    if (!s.last_packets.empty()) {
        out << "  last packets:\n";
        for (const auto& line : s.last_packets)
            out << "    " << printable(line) << '\n';
    }
    print_components(out, s, color);
}

void print_failures(std::ostream& out, const run_result& run, bool color) {
    for (const auto& s : run.scenarios)
        print_failure(out, s, color);
}

void print_summary(std::ostream& out, const run_result& run, bool color) {
    const std::size_t total = run.scenarios.size();
    std::string line = std::to_string(total) + (total == 1 ? " scenario: " : " scenarios: ");
    line += count_text(run.count(verdict::passed), "passed", ansi::green, color) + ", ";
    line += count_text(run.count(verdict::failed), "failed", ansi::red, color) + ", ";
    const auto errors = run.count(verdict::error);
    line += count_text(errors, errors == 1 ? "error" : "errors", ansi::magenta, color) + ", ";
    line += count_text(run.count(verdict::skipped), "skipped", ansi::yellow, color);
    line += " in " + format_fixed(run.seconds, 2) + " s";
    out << '\n' << line << '\n';
    out << "seed " << std::to_string(run.seed);
    if (!run.broker.empty())
        out << ", broker " << printable(run.broker);
    out << '\n';
    if (run.interrupted)
        out << paint(color, ansi::yellow, "interrupted: scenarios not started are not counted")
            << '\n';
}

void print_report(std::ostream& out, const run_result& run, bool color) {
    print_failures(out, run, color);
    print_summary(out, run, color);
}

}  // namespace harness::reports
