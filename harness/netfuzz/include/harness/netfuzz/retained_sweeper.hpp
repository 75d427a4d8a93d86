// Clearing the retained messages a campaign leaves on the broker. Fuzzed sessions publish
// retained messages on thousands of topics (some with payloads of tens of KiB); every wildcard
// subscription then brings them all back, barriers run out and the campaign slows down the longer
// it runs. Now and then one 3.1.1 connection subscribes to `#`, collects the topics of the
// retained messages the broker sends on subscribe, and publishes an empty retained message to
// each (which deletes it); brokers send only what the subscriber's queue takes per subscribe, so
// it subscribes again until none come back, all bounded by one time limit.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <string>

#include "harness/netfuzz/case_executor.hpp"

namespace harness::netfuzz {

struct sweep_result {
    std::size_t cleared = 0;  // retained messages deleted
    bool complete = false;    // a last subscribe found none left, in time
    std::string problem;      // why not, for the trace
};

boost::asio::awaitable<sweep_result> sweep_retained(const execution_options& options,
                                                    std::chrono::milliseconds limit);

}  // namespace harness::netfuzz
