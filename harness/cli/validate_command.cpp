// `mqtt-harness validate FILES…`: checks scenario files without running them; every mistake
// with file, line and column. Exit status 0 when all are valid, 2 otherwise.
#include <fmt/format.h>
#include <iostream>

#include "exit_status.hpp"
#include "scenario_commands.hpp"
#include "scenario_loading.hpp"

namespace harness::cli {

void add_validate_command(CLI::App& app) {
    auto paths = std::make_shared<std::vector<std::string>>();
    auto* cmd = app.add_subcommand("validate", "Check scenario files without running them");
    cmd->add_option("paths", *paths, "Scenario files or folders")->required();
    cmd->callback([paths] {
        auto files = load_scenarios(*paths);
        if (!files)
            throw CLI::RuntimeError(exit_status::usage);
        std::size_t scenarios = 0;
        for (const auto& f : *files)
            scenarios += f.scenarios.size();
        std::cout << fmt::format("{} file{}, {} scenario{}: valid\n", files->size(),
                                 files->size() == 1 ? "" : "s", scenarios,
                                 scenarios == 1 ? "" : "s");
        throw CLI::RuntimeError(exit_status::ok);
    });
}

}  // namespace harness::cli
