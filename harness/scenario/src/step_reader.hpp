// Internal to harness/scenario: the reader of step bodies, one function per step kind. The
// message steps (subscribe, unsubscribe, publish, expect, expect_none) are in
// parse_message_steps.cpp, the others and the step list itself in parse_steps.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "parse.hpp"

namespace harness::scenario::detail {

struct step_reader {
    reader& r;
    const defaults_spec& defaults;

    /// The `client` of a step map (required), checked against the scenario's clients.
    std::string client(const YAML::Node& map, std::string_view what);
    /// `connect: a` or `disconnect: a`: a client name alone.
    std::string client_scalar(const YAML::Node& node);
    /// A step given as a client name (fills `client`, false) or a map to read further (true);
    /// anything else is an error (false).
    bool client_or_map(const YAML::Node& node, std::string& client);

    connect_step connect(const YAML::Node& node);
    subscribe_step subscribe(const YAML::Node& node);
    unsubscribe_step unsubscribe(const YAML::Node& node);
    publish_step publish(const YAML::Node& node);
    /// `after` is set to the node of the `after` key, for the check once all ids are known.
    expect_step expect(const YAML::Node& node, std::optional<YAML::Node>& after);
    expect_none_step expect_none(const YAML::Node& node);
    wait_log_step wait_log(const YAML::Node& node);
    disconnect_step disconnect(const YAML::Node& node);
    sleep_step sleep(const YAML::Node& node);
    fault_step fault(const YAML::Node& node);
    // Raw clients (parse_raw_steps.cpp).
    send_step send(const YAML::Node& node);
    expect_packet_step expect_packet(const YAML::Node& node);
    expect_no_packet_step expect_no_packet(const YAML::Node& node);
    expect_closed_step expect_closed(const YAML::Node& node);

  private:
    /// `qos`, `no_local`, `retain_as_published`, `retain_handling`, `subscription_id`.
    void subscription_options(const YAML::Node& map, subscription_spec& out);
    /// The `count` of an expected message (at least 1, default 1).
    std::uint32_t count(const YAML::Node& map);
};

}  // namespace harness::scenario::detail
