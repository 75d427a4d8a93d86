// log_type and log_dest lines -> log_plan (see log_config.hpp).
#include "harness/broker/log_config.hpp"

#include <algorithm>

namespace harness::broker {
namespace {

bool has(const std::vector<std::string>& types, std::string_view type) {
    return std::find(types.begin(), types.end(), type) != types.end();
}

void plan_types(const std::vector<std::string>& types, log_plan& plan) {
    if (types.empty()) {
        plan.events = true;  // Mosquitto's default: error, warning, notice, information
        return;
    }
    if (has(types, "none"))
        return;
    for (const auto& type : types) {
        if (type == "all") {
            plan.events = true;
            plan.packets = true;
        } else if (type == "debug") {
            plan.packets = true;
        } else if (type != "websockets") {
            plan.events = true;
        }
    }
}

const char* unsupported_name(log_destination::kind kind) {
    switch (kind) {
        case log_destination::kind::syslog:
            return "syslog";
        case log_destination::kind::dlt:
            return "dlt";
        case log_destination::kind::topic:
            return "topic";
        default:
            return nullptr;
    }
}

}  // namespace

log_plan plan_logging(const broker_config& config, std::vector<config_problem>& problems) {
    log_plan plan;
    plan_types(config.log_types, plan);
    const auto& destinations = config.log_destinations;
    if (destinations.empty()) {
        plan.to_stderr = true;  // Mosquitto's default in the foreground
        return plan;
    }
    const bool none = std::any_of(destinations.begin(), destinations.end(), [](const auto& d) {
        return d.where == log_destination::kind::none;
    });
    for (std::size_t i = 0; i < destinations.size(); ++i) {
        const auto& destination = destinations[i];
        const auto at = i < config.log_destination_locations.size()
                            ? config.log_destination_locations[i]
                            : config_location{config.file, 0};
        if (const char* name = unsupported_name(destination.where)) {
            problems.push_back({config_problem::severity::warning, at.file, at.line,
                                std::string("log_dest ") + name +
                                    " is not supported by the embedded broker; ignored"});
            continue;
        }
        if (none)
            continue;
        switch (destination.where) {
            case log_destination::kind::stdout_stream:
                plan.to_stdout = true;
                break;
            case log_destination::kind::stderr_stream:
                plan.to_stderr = true;
                break;
            case log_destination::kind::file:
                plan.files.push_back({destination.path, at});
                break;
            default:
                break;
        }
    }
    return plan;
}

}  // namespace harness::broker
