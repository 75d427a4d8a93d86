// The broker under fuzzing, supervised or external: see broker_target.hpp.
#include "harness/netfuzz/broker_target.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <span>

#include "harness/codec/types.hpp"
#include "harness/netfuzz/campaign.hpp"

namespace harness::netfuzz {

namespace asio = boost::asio;
using std::chrono::milliseconds;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

std::string with_port(std::string text, std::uint16_t port) {
    for (auto at = text.find("{port}"); at != std::string::npos; at = text.find("{port}"))
        text.replace(at, 6, std::to_string(port));
    return text;
}

/// The growth that confirms a memory finding when a suspect is replayed.
std::uint64_t confirm_growth(const campaign_options& o) {
    return std::max<std::uint64_t>(o.rss_growth_bytes / 8, 4ull << 20);
}

constexpr int max_memory_rounds = 100;

}  // namespace

broker_target::broker_target(asio::any_io_executor executor, const campaign_options& options)
    : options_(options) {
    exec.answer_timeout = options.answer_timeout;  // adapted by the campaign afterwards
    if (!options.broker_command.empty()) {
        supervisor_options s;
        s.command = options.broker_command;
        // An AddressSanitizer build keeps freed memory in quarantine (256 MiB by default),
        // which looks like growth; a small quarantine still catches recent use after free.
        if (!std::getenv("ASAN_OPTIONS"))
            s.env.emplace_back("ASAN_OPTIONS", "quarantine_size_mb=8");
        supervisor_.emplace(executor, std::move(s));
    }
}

asio::awaitable<std::string> broker_target::apply_port() {
    const auto port = supervisor_ ? supervisor_->port() : std::uint16_t{0};
    const auto text = supervisor_ ? with_port(options_.broker_url, port) : options_.broker_url;
    std::string error;
    auto url = transport::parse_broker_url(text, error);
    if (!url)
        co_return fmt::format("bad broker URL '{}': {}", text, error);
    exec.url = *url;
    exec.tls = options_.tls;
    fresh_rss_ = rss_bytes();
    co_return "";
}

asio::awaitable<std::string> broker_target::start() {
    if (supervisor_) {
        const auto error = co_await supervisor_->start();
        if (!error.empty())
            co_return error;
    } else if (options_.broker_url.find("{port}") != std::string::npos) {
        co_return "the broker URL has {port} but no --broker-cmd starts a broker";
    }
    const auto port_error = co_await apply_port();
    if (!port_error.empty())
        co_return port_error;
    std::string problem;
    const bool answers = co_await broker_answers(exec, options_.hang_timeout, problem);
    if (!answers)
        co_return fmt::format("the broker at {} does not answer: {}", exec.url.to_string(),
                              problem);
    co_return "";
}

asio::awaitable<std::string> broker_target::restart() {
    dirty_ = false;
    if (!supervisor_)
        co_return "";
    const auto error = co_await supervisor_->restart();
    if (!error.empty())
        co_return error;
    const auto port_error = co_await apply_port();
    co_return port_error;
}

asio::awaitable<void> broker_target::stop() {
    if (supervisor_)
        co_await supervisor_->stop();
}

asio::awaitable<std::optional<trouble>> broker_target::judge(const execution_result& r) {
    if (supervisor_)
        if (auto f = supervisor_->failure())
            co_return trouble{finding_kind::crash, describe_failure(*f)};
    if (r.unreachable) {
        if (supervisor_) {
            const auto f = co_await supervisor_->wait_failure(milliseconds(1'000));
            if (f)
                co_return trouble{finding_kind::crash, describe_failure(*f)};
        }
        co_return trouble{finding_kind::crash,
                          "the broker stopped accepting connections: " + r.problem};
    }
    if (r.stalled) {
        std::string problem;
        const bool answers = co_await broker_answers(exec, options_.hang_timeout, problem);
        if (answers)
            co_return std::nullopt;  // it was waiting for the rest of a packet, fairly
        if (supervisor_) {
            const auto f = co_await supervisor_->wait_failure(milliseconds(2'000));
            if (f)
                co_return trouble{finding_kind::crash, describe_failure(*f)};
        }
        co_return trouble{finding_kind::hang, problem};
    }
    co_return std::nullopt;
}

asio::awaitable<bool> broker_target::ensure_healthy() {
    if (!supervisor_)
        co_return true;
    if (!dirty_ && !supervisor_->failure()) {
        std::string problem;
        const bool answers = co_await broker_answers(exec, options_.hang_timeout, problem);
        if (answers)
            co_return true;
    }
    const auto error = co_await restart();
    co_return error.empty();
}

asio::awaitable<reproduction> broker_target::reproduces(const fuzz_case& c, finding_kind kind) {
    reproduction out;
    const bool healthy = co_await ensure_healthy();
    if (!healthy)
        co_return out;
    if (kind == finding_kind::memory) {
        if (!supervisor_)
            co_return out;
        if (rss_bytes() > fresh_rss_ + 4 * confirm_growth(options_)) {
            const auto error = co_await restart();
            if (!error.empty())
                co_return out;
        }
        // A leak grows with every round: both halves of the replay must grow the broker, so
        // that an allocator warming up (or a sanitizer's quarantine filling) does not count.
        const auto half = confirm_growth(options_) / 2;
        const auto before = rss_bytes();
        std::uint64_t middle = 0;
        for (int round = 1; round <= max_memory_rounds; ++round) {
            co_await execute_case(c, exec);
            if (supervisor_->failure()) {
                dirty_ = true;
                co_return out;
            }
            if (round == max_memory_rounds / 2) {
                middle = rss_bytes();
                if (middle < before + half)
                    co_return out;
            }
        }
        out.reproduced = rss_bytes() >= middle + half;
        if (rss_bytes() > fresh_rss_ + 4 * confirm_growth(options_))
            dirty_ = true;
        co_return out;
    }
    const std::span<const fuzz_case> one(&c, 1);
    co_return co_await reproduces_in_order(one, kind);
}

asio::awaitable<reproduction> broker_target::reproduces_in_order(std::span<const fuzz_case> cases,
                                                                 finding_kind kind) {
    reproduction out;
    const bool healthy = co_await ensure_healthy();
    if (!healthy)
        co_return out;
    bool unreachable = false;
    for (const auto& c : cases) {
        const auto r = co_await execute_case(c, exec);
        unreachable = unreachable || r.unreachable;
        if (unreachable || (supervisor_ && supervisor_->failure()))
            break;
        if (r.stalled) {
            // Waiting for the rest of a packet, or gone? The cases after it would only wait.
            std::string problem;
            const bool alive = co_await broker_answers(exec, options_.hang_timeout, problem);
            if (!alive)
                break;
        }
    }
    // Each case ended with barriers the broker answered (or it failed): a broker that still
    // answers a fresh client now has survived them. Only one that does not is waited for.
    bool answers = false;
    if (!unreachable && !(supervisor_ && supervisor_->failure())) {
        std::string problem;
        answers = co_await broker_answers(exec, options_.hang_timeout, problem);
    }
    if (answers)
        co_return out;
    dirty_ = true;
    if (supervisor_) {
        // A crashing broker may still be writing its report; a hung one never ends.
        const auto wait = milliseconds(kind == finding_kind::crash ? 2'000 : 300);
        out.failure = co_await supervisor_->wait_failure(wait);
    }
    if (kind == finding_kind::crash)
        out.reproduced = out.failure.has_value() || !supervisor_;
    else
        out.reproduced = !out.failure.has_value();
    co_return out;
}

asio::awaitable<std::uint64_t> broker_target::growth_per_round(const fuzz_case& c) {
    if (!supervisor_)
        co_return 0;
    const auto error = co_await restart();
    if (!error.empty())
        co_return 0;
    const auto before = rss_bytes();
    int rounds = 0;
    for (; rounds < 20 && !supervisor_->failure(); ++rounds)
        co_await execute_case(c, exec);
    const auto after = rss_bytes();
    dirty_ = true;
    co_return rounds == 0 || after <= before ? 0 : (after - before) / rounds;
}

std::string step_types(const fuzz_case& c) {
    std::string out;
    for (const auto& s : c.steps) {
        if (!out.empty())
            out += ' ';
        const auto type = s.bytes.empty() ? 0 : s.bytes[0] >> 4;
        if (type == 0 || type == 15 || s.bytes.empty())
            out += fmt::format("type-{}", type);
        else
            out += codec::to_string(static_cast<codec::packet_type>(type));
    }
    return out;
}

std::string describe_failure(const broker_failure& f) {
    std::string out;
    if (f.exit_status) {
        const int s = *f.exit_status;
        out = s > 128
                  ? fmt::format("the broker was killed by signal {} (exit status {})", s - 128, s)
                  : fmt::format("the broker exited with status {}", s);
    } else {
        out = "the broker reported an error";
    }
    if (!f.sanitizer_report.empty())
        out += "\n" + f.sanitizer_report;
    if (!f.log_tail.empty())
        out += "\nlast output:\n" + f.log_tail;
    return out;
}

#pragma GCC diagnostic pop

}  // namespace harness::netfuzz
