// The broker command's log lines: timestamps, packets as JSON, the destinations of a log_plan.
#include "broker_log.hpp"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "harness/packet_json/packet_json.hpp"

namespace harness::cli {
namespace {

std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const auto t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    ::gmtime_r(&t, &tm);
    std::ostringstream out;
    out << std::put_time(&tm, "%FT%TZ");
    return out.str();
}

}  // namespace

broker::log_plan broker_log::plan_for_verbosity(int verbosity) {
    broker::log_plan plan;
    plan.events = verbosity >= 1;
    plan.packets = verbosity >= 2;
    plan.to_stderr = true;
    return plan;
}

bool broker_log::open(const broker::log_plan& plan, std::vector<broker::config_problem>& problems) {
    plan_ = plan;
    bool ok = true;
    for (const auto& file : plan.files) {
        auto out = std::make_unique<std::ofstream>(file.path, std::ios::app);
        if (!*out) {
            problems.push_back({broker::config_problem::severity::error, file.at.file, file.at.line,
                                "log_dest: cannot open '" + file.path + "'"});
            ok = false;
            continue;
        }
        files_.push_back(std::move(out));
    }
    return ok;
}

void broker_log::attach(broker::broker& core) {
    if (!plan_.active())
        return;
    if (plan_.events)
        core.log_to([this](const std::string& line) { write(timestamp() + " " + line); });
    if (plan_.packets) {
        core.observe([this](broker::connection_id id, broker::direction d, const codec::packet& p,
                            broker::time_point) {
            write(timestamp() + " #" + std::to_string(id) +
                  (d == broker::direction::in ? " <- " : " -> ") +
                  boost::json::serialize(packet_json::to_json(p, codec::protocol_version::v5)));
        });
    }
}

void broker_log::write(const std::string& line) {
    if (plan_.to_stdout)
        std::cout << line << std::endl;
    if (plan_.to_stderr)
        std::cerr << line << '\n';
    for (auto& file : files_)
        *file << line << std::endl;
}

}  // namespace harness::cli
