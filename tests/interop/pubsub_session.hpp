// One interop session: a mosquitto broker behind the recording relay, a mosquitto_sub that
// stays subscribed while mosquitto_pub runs once per publication, then a second subscriber
// that picks up the retained message. Afterwards every captured packet, both directions of
// every connection, has been framed, decoded and re-encoded (see stream_check.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/codec/codec.hpp"
#include "stream_check.hpp"

namespace harness::interop {

struct publication {
    std::string topic;
    std::string message;
    std::vector<std::string> options;  // e.g. {"-q", "2", "-r"}
};

struct session_plan {
    codec::protocol_version version = codec::protocol_version::v5;
    std::string version_option;                   // the -V argument: mqttv31, mqttv311, mqttv5
    std::vector<std::string> subscriber_options;  // added to mosquitto_sub's command line
    /// Run in order; at least one must be retained ("-r"). Those outside topic_prefix reach
    /// no subscriber.
    std::vector<publication> publications;
};

/// What crossed the relay on one connection, decoded.
struct decoded_connection {
    std::vector<checked_packet> to_broker;
    std::vector<checked_packet> to_client;
};

struct session_result {
    std::string subscriber_output;  // mosquitto_sub -v: "topic message" lines
    std::string retained_output;    // the late subscriber's output
    std::vector<decoded_connection> connections;
    std::vector<std::string> failures;  // from check_stream, across all connections
};

/// The subscriber's topic filter is topic_prefix + "#".
inline constexpr std::string_view topic_prefix = "interop/";

/// True when the subscriber receives the publication.
inline bool heard(const publication& p) {
    return p.topic.starts_with(topic_prefix);
}

/// Runs the plan with a broker and relay of its own. Fatal gtest failures (a program that is
/// missing, fails or hangs) end it early: call it under ASSERT_NO_FATAL_FAILURE.
void run_session(const session_plan& plan, session_result& result);

}  // namespace harness::interop
