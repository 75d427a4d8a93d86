// Where `mqtt-harness broker` writes its log: a log_plan (from -v/-vv, or from the
// configuration's log_type and log_dest lines) carried out on the broker core, each line
// timestamped, written to stdout, stderr and appended to files.
#pragma once

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "harness/broker/broker.hpp"
#include "harness/broker/log_config.hpp"

namespace harness::cli {

class broker_log {
  public:
    /// -v: event lines to stderr; -vv: every packet too.
    static broker::log_plan plan_for_verbosity(int verbosity);

    /// Opens the plan's files for appending; false, with one error per file that cannot be
    /// opened (naming its log_dest line) appended to `problems`.
    bool open(const broker::log_plan& plan, std::vector<broker::config_problem>& problems);
    /// Installs the event sink and the packet observer the plan asks for. This object must
    /// outlive `core`'s use of them.
    void attach(broker::broker& core);

  private:
    void write(const std::string& line);

    broker::log_plan plan_;
    std::vector<std::unique_ptr<std::ofstream>> files_;
};

}  // namespace harness::cli
