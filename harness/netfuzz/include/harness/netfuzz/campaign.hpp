// A fuzzing campaign against one broker: workers generate and mutate cases and play them
// concurrently; cases whose response shape is new join the corpus; when the broker crashes,
// hangs or grows in memory the workers stop, the cases that may be to blame are replayed on a
// restarted broker, the one that reproduces is minimized and written as a reproducer (once per
// signature), and fuzzing goes on until the time, session or finding limit. Every 30 s the
// workers pause between cases while the retained messages and the sessions the cases left on the
// broker are cleared.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/netfuzz/corpus.hpp"
#include "harness/netfuzz/reproducer.hpp"
#include "harness/netfuzz/session_generator.hpp"
#include "harness/transport/connect.hpp"

namespace harness::netfuzz {

struct campaign_options {
    /// The broker's URL; `{port}` in it is the port of a broker started by `broker_command`.
    std::string broker_url = "mqtt://127.0.0.1:{port}";
    /// A shell command starting the broker, `{port}` replaced; empty for a broker already running
    /// (then crashes end the campaign: it cannot restart the broker).
    std::string broker_command;
    transport::tls_options tls;
    std::chrono::milliseconds duration{60'000};
    std::uint64_t seed = 1;
    std::uint64_t max_sessions = 0;  // connections opened; 0: no limit
    std::size_t max_findings = 0;    // stop after this many distinct findings; 0: no limit
    std::filesystem::path out_dir = "fuzz-findings";
    unsigned workers = 64;
    std::chrono::milliseconds answer_timeout{50};
    std::chrono::milliseconds hang_timeout{3'000};
    /// Resident memory the broker may grow by (over its size after warm-up) before it counts as
    /// a finding, when it was started by broker_command.
    std::uint64_t rss_growth_bytes = 256ull << 20;
    generator_options generator;
    /// How often the retained messages the campaign left are deleted (0: never); without it a
    /// long run slows down as every wildcard subscription brings back thousands of them.
    std::chrono::milliseconds retained_sweep{30'000};
    /// How often the sessions stored for the client ids the cases used are discarded (0: never);
    /// without it the broker keeps every persistent session with its queue of offline messages
    /// and grows until the memory check fires.
    std::chrono::milliseconds session_sweep{30'000};
    /// Distinct response shapes remembered (11 to 22 bytes each: 4 million take 64 MiB); past it
    /// no case joins the corpus.
    std::size_t max_shapes = 4'000'000;
    /// The corpus: how many cases and how many bytes of them (see corpus.hpp) it keeps.
    corpus_limits corpus;
    /// Set (e.g. on SIGINT) to end the campaign early, with its findings kept and reported.
    const bool* stop = nullptr;
};

struct campaign_stats {
    std::uint64_t cases = 0;     // cases played
    std::uint64_t sessions = 0;  // connections they opened: one MQTT session each
    double seconds = 0;
    std::size_t shapes = 0;  // distinct response shapes seen
    std::size_t corpus = 0;
    std::size_t corpus_bytes = 0;  // of corpus.hpp's footprint()
    std::size_t findings = 0;      // distinct
    std::size_t duplicates = 0;    // findings with a signature already reported
    std::size_t unconfirmed = 0;   // failures no single case reproduced
    std::size_t restarts = 0;
    std::uint64_t stalled = 0;  // cases where a barrier ran out (the broker waited for more)
    std::uint64_t retained_cleared = 0;  // retained messages deleted by the sweeps
    /// Client ids the session sweeps connected as with a clean session (the broker accepted);
    /// each one had a stored session or not, a 3.1.1 CONNACK does not tell.
    std::uint64_t client_ids_swept = 0;
    double sessions_per_second() const { return seconds > 0 ? sessions / seconds : 0; }
    double cases_per_second() const { return seconds > 0 ? cases / seconds : 0; }
};

struct reported_finding {
    finding what;
    std::filesystem::path dir;
};

struct campaign_result {
    campaign_stats stats;
    std::vector<reported_finding> findings;
    std::string error;  // the campaign could not run (broker did not start, bad URL)
};

struct campaign_events {
    std::function<void(const campaign_stats&)> progress;  // about once a second
    std::function<void(const reported_finding&)> found;
    std::function<void(const std::string&)> note;     // "broker restarted", ...
    std::function<void(const std::string&)> started;  // the broker answers at this URL
};

boost::asio::awaitable<campaign_result> run_campaign(campaign_options options,
                                                     campaign_events events);

}  // namespace harness::netfuzz

namespace harness::netfuzz {

struct replay_result {
    bool failed = false;
    finding_kind kind = finding_kind::crash;
    std::string details;  // what happened, for people
    std::string error;    // the replay could not run (broker did not start)
};

/// Plays `c` `repeat` times in a row (fresh connections each round) against the broker of
/// `options` (started by its command, or at its URL) and says whether it crashed, hung, or
/// (supervised, repeat > 1) grew past options.rss_growth_bytes.
boost::asio::awaitable<replay_result> replay_case(campaign_options options, fuzz_case c,
                                                  int repeat);

}  // namespace harness::netfuzz
