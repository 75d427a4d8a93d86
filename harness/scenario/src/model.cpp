// The small behaviours of the scenario model: printing positions, step kind names, and the
// questions the runner asks of a scenario.
#include "harness/scenario/model.hpp"

#include <algorithm>

namespace harness::scenario {

std::string position::to_string() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

bool publish_properties_spec::empty() const noexcept {
    return !content_type && !response_topic && !correlation_data && !payload_format_utf8 &&
           !message_expiry_interval && user_properties.empty();
}

namespace {

struct kind_name {
    std::string_view operator()(const connect_step&) const noexcept { return "connect"; }
    std::string_view operator()(const subscribe_step&) const noexcept { return "subscribe"; }
    std::string_view operator()(const unsubscribe_step&) const noexcept { return "unsubscribe"; }
    std::string_view operator()(const publish_step&) const noexcept { return "publish"; }
    std::string_view operator()(const expect_step&) const noexcept { return "expect"; }
    std::string_view operator()(const expect_none_step&) const noexcept { return "expect_none"; }
    std::string_view operator()(const wait_log_step&) const noexcept { return "wait_log"; }
    std::string_view operator()(const disconnect_step&) const noexcept { return "disconnect"; }
    std::string_view operator()(const sleep_step&) const noexcept { return "sleep"; }
    std::string_view operator()(const fault_step&) const noexcept { return "fault"; }
    std::string_view operator()(const send_step&) const noexcept { return "send"; }
    std::string_view operator()(const expect_packet_step&) const noexcept {
        return "expect_packet";
    }
    std::string_view operator()(const expect_no_packet_step&) const noexcept {
        return "expect_no_packet";
    }
    std::string_view operator()(const expect_closed_step&) const noexcept {
        return "expect_closed";
    }
};

}  // namespace

std::string_view step_kind(const step_body& body) noexcept {
    return std::visit(kind_name{}, body);
}

bool scenario::needs_embedded_broker() const {
    return std::any_of(steps.begin(), steps.end(),
                       [](const step& s) { return std::holds_alternative<fault_step>(s.body); });
}

}  // namespace harness::scenario
