// The broker a campaign or a replay works against: started and restarted by the supervisor
// (`--broker-cmd`) or already running at a URL. It judges a played case (did the broker crash,
// hang?) and replays a suspect to see whether it reproduces a failure.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <span>
#include <string>

#include "harness/netfuzz/broker_supervisor.hpp"
#include "harness/netfuzz/case_executor.hpp"
#include "harness/netfuzz/reproducer.hpp"

namespace harness::netfuzz {

struct campaign_options;

/// What a played case revealed that stops fuzzing.
struct trouble {
    finding_kind kind = finding_kind::crash;
    std::string problem;
};

struct reproduction {
    bool reproduced = false;
    std::optional<broker_failure> failure;  // the crash it caused, when supervised
};

class broker_target {
  public:
    broker_target(boost::asio::any_io_executor executor, const campaign_options& options);

    boost::asio::awaitable<std::string> start();
    boost::asio::awaitable<std::string> restart();
    boost::asio::awaitable<void> stop();

    bool supervised() const noexcept { return supervisor_.has_value(); }
    std::uint64_t rss_bytes() const { return supervisor_ ? supervisor_->rss_bytes() : 0; }
    std::optional<broker_failure> failure() const {
        return supervisor_ ? supervisor_->failure() : std::nullopt;
    }
    boost::asio::awaitable<std::optional<broker_failure>> wait_failure(
        std::chrono::milliseconds timeout) {
        if (!supervisor_)
            co_return std::nullopt;
        co_return co_await supervisor_->wait_failure(timeout);
    }
    /// Where cases go (the URL with the current port).
    execution_options exec;

    /// After a case: nothing (the broker is fine), or the trouble it is in.
    boost::asio::awaitable<std::optional<trouble>> judge(const execution_result& r);
    /// Plays `c` on a healthy broker (restarting it first when needed) and says whether the
    /// failure of `kind` happens again. For memory: whether playing it repeatedly grows the
    /// broker by a clear margin.
    boost::asio::awaitable<reproduction> reproduces(const fuzz_case& c, finding_kind kind);
    /// Crash or hang: plays the cases one after the other on a healthy broker, then checks.
    boost::asio::awaitable<reproduction> reproduces_in_order(std::span<const fuzz_case> cases,
                                                             finding_kind kind);
    /// Bytes of resident memory one round of `c` adds, measured over several rounds.
    boost::asio::awaitable<std::uint64_t> growth_per_round(const fuzz_case& c);

  private:
    boost::asio::awaitable<std::string> apply_port();
    boost::asio::awaitable<bool> ensure_healthy();

    const campaign_options& options_;
    std::optional<broker_supervisor> supervisor_;
    bool dirty_ = false;  // the last reproduction broke the broker
    std::uint64_t fresh_rss_ = 0;
};

/// "CONNECT PUBLISH": the packet types of a case's steps (by their first byte).
std::string step_types(const fuzz_case& c);
/// The exit status, signal and sanitizer report of a crash, for people.
std::string describe_failure(const broker_failure& f);

}  // namespace harness::netfuzz
