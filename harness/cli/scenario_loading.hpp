// What the scenario commands share: loading files with every mistake printed, durations on the
// command line, run ids, and turning Ctrl-C into an interrupt of the run.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "harness/runner/run.hpp"
#include "harness/scenario/load.hpp"

namespace harness::cli {

/// Loads every scenario file under `paths`; prints each mistake ("file:line:col: error: …") to
/// stderr. nullopt when there was any.
std::optional<std::vector<scenario::scenario_file>> load_scenarios(
    const std::vector<std::string>& paths);

/// "500ms", "2s", "1.5s", "1m"; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_cli_duration(const std::string& text);

/// A short random id for client ids and topic prefixes of this run.
std::string new_run_id();

/// While alive, SIGINT and SIGTERM fire `stop` (once; a second signal exits at once).
class signal_watcher {
  public:
    explicit signal_watcher(runner::interrupt& stop);
    ~signal_watcher();
    signal_watcher(const signal_watcher&) = delete;
    signal_watcher& operator=(const signal_watcher&) = delete;

  private:
    boost::asio::io_context io_{1};
    std::thread thread_;
};

}  // namespace harness::cli
