// Helpers of the scenario commands.
#include "scenario_loading.hpp"

#include <fmt/format.h>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <random>

namespace harness::cli {

std::optional<std::vector<scenario::scenario_file>> load_scenarios(
    const std::vector<std::string>& paths) {
    std::vector<scenario::diagnostic> errors;
    const auto files = scenario::collect_scenario_files(paths, errors);
    std::vector<scenario::scenario_file> loaded;
    for (const auto& path : files) {
        auto r = scenario::load_file(path);
        errors.insert(errors.end(), r.errors.begin(), r.errors.end());
        loaded.push_back(std::move(r.file));
    }
    if (files.empty() && errors.empty())
        errors.push_back(scenario::diagnostic{{}, "no scenario files (*.yaml, *.yml) found"});
    for (const auto& e : errors)
        std::cerr << e.to_string() << '\n';
    if (!errors.empty()) {
        std::cerr << fmt::format("{} error{} in scenario files\n", errors.size(),
                                 errors.size() == 1 ? "" : "s");
        return std::nullopt;
    }
    return loaded;
}

std::optional<std::chrono::milliseconds> parse_cli_duration(const std::string& text) {
    std::size_t used = 0;
    double value = 0;
    try {
        value = std::stod(text, &used);
    } catch (const std::exception&) {
        return std::nullopt;
    }
    const auto unit = text.substr(used);
    double ms;
    if (unit == "ms")
        ms = value;
    else if (unit == "s")
        ms = value * 1000;
    else if (unit == "m")
        ms = value * 60'000;
    else
        return std::nullopt;
    if (ms < 0)
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

std::string new_run_id() {
    std::random_device rd;
    return fmt::format("{:06x}", rd() & 0xffffff);
}

signal_watcher::signal_watcher(runner::interrupt& stop) {
    auto signals = std::make_shared<boost::asio::signal_set>(io_, SIGINT, SIGTERM);
    signals->async_wait([signals, &stop](const boost::system::error_code& ec, int) {
        if (ec)
            return;
        std::cerr << "\ninterrupted: stopping components and writing reports "
                     "(interrupt again to quit at once)\n";
        stop.fire();
        signals->async_wait([](const boost::system::error_code& ec2, int) {
            if (!ec2)
                std::_Exit(130);
        });
    });
    thread_ = std::thread([this] { io_.run(); });
}

signal_watcher::~signal_watcher() {
    io_.stop();
    thread_.join();
}

}  // namespace harness::cli
