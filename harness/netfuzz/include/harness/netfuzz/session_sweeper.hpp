// Clearing the sessions a campaign leaves on the broker. Fuzzed sessions connect with a small
// pool of client ids (`fz<worker>-<n>`, `fz-0`, `fz-again`, long runs of `c`, ...), often with
// clean start off or a session expiry, and subscribe at QoS 1 and 2: the broker keeps each
// session and queues the messages that match it while it is offline, and its memory grows by
// hundreds of MiB in minutes. The campaign records the ids its cases asked for; now and then,
// between cases, each of them connects once more with MQTT 3.1.1 and clean session = 1, which
// makes the broker discard the stored session and its queue [MQTT-3.1.2-6], and disconnects.
// Ids a 5.0 broker assigned to an empty one are recorded from the CONNACK and swept too.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "harness/netfuzz/case_executor.hpp"
#include "harness/netfuzz/fuzz_case.hpp"

namespace harness::netfuzz {

/// The non-empty client ids the CONNECTs of `c` ask for, each once: the first packet of each
/// connection's byte stream (from its opening or a reconnect), decoded from the bytes whatever
/// the steps say (a CONNECT that no longer decodes is skipped).
std::vector<std::string> client_ids_of(const fuzz_case& c);

/// The client ids used since the last sweep, each once, bounded by count and by their total
/// length; ids past the bounds are dropped (and counted).
class client_id_pool {
  public:
    explicit client_id_pool(std::size_t max_ids = 16 * 1024, std::size_t max_bytes = 8u << 20)
        : max_ids_(max_ids), max_bytes_(max_bytes) {}

    void add(const fuzz_case& c);
    void add(std::string id);
    /// All the ids, sorted; the pool is empty afterwards.
    std::vector<std::string> take();

    std::size_t size() const noexcept { return ids_.size(); }
    std::size_t dropped() const noexcept { return dropped_; }

  private:
    std::unordered_set<std::string> ids_;
    std::size_t bytes_ = 0;
    std::size_t dropped_ = 0;
    std::size_t max_ids_;
    std::size_t max_bytes_;
};

struct session_sweep_result {
    std::size_t swept = 0;  // ids the broker accepted with a clean session (CONNACK 0)
    std::size_t tried = 0;  // ids tried, from the start of the list; the rest were not reached
    bool complete = false;  // every id was tried
    std::string problem;    // why not, or the last refusal, for the trace
};

/// Connects as each of `ids` in turn with a clean 3.1.1 session and disconnects, all within
/// `limit`.
boost::asio::awaitable<session_sweep_result> sweep_sessions(const execution_options& options,
                                                            std::span<const std::string> ids,
                                                            std::chrono::milliseconds limit);

}  // namespace harness::netfuzz
