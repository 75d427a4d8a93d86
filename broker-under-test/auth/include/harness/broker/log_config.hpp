// What mosquitto.conf's log_type and log_dest lines ask of the broker's logging, reduced to what
// the embedded broker can log: event lines (connections, refusals, protocol errors: the core's
// log_to) and every packet (the core's observer, as `mqtt-harness broker -vv`), written to stdout,
// stderr or files. No I/O: the broker command opens the files and installs the sinks.
//
// - log_type: none given means Mosquitto's default (error, warning, notice, information): event
//   lines. error, warning, notice, information, subscribe, unsubscribe: event lines; debug: every
//   packet; all: both; websockets: nothing more; none: nothing at all, whatever else is given.
// - log_dest: none given means stderr; stdout, stderr, file PATH as written; none: nothing.
//   syslog, dlt and topic are not supported: a warning naming the line, ignored.
#pragma once

#include <string>
#include <vector>

#include "harness/broker/config_file.hpp"

namespace harness::broker {

struct log_file_destination {
    std::string path;
    /// The log_dest line, for an error when the file cannot be opened.
    config_location at;
};

struct log_plan {
    /// Event lines (broker::log_to).
    bool events = false;
    /// Every packet in and out (broker::observe).
    bool packets = false;
    bool to_stdout = false;
    bool to_stderr = false;
    std::vector<log_file_destination> files;

    /// Whether anything is logged anywhere.
    bool active() const noexcept {
        return (events || packets) && (to_stdout || to_stderr || !files.empty());
    }
};

/// The plan for `config`; warnings for unsupported destinations are appended to `problems`.
log_plan plan_logging(const broker_config& config, std::vector<config_problem>& problems);

}  // namespace harness::broker
