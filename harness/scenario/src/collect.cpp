// Finding scenario files: paths given on the command line are taken as they are, folders are
// searched recursively for *.yaml and *.yml files.
#include <algorithm>
#include <filesystem>

#include "harness/scenario/load.hpp"

namespace harness::scenario {
namespace {

bool is_scenario_file(const std::filesystem::path& path) {
    const std::string extension = path.extension().string();
    return extension == ".yaml" || extension == ".yml";
}

}  // namespace

std::vector<std::string> collect_scenario_files(const std::vector<std::string>& paths,
                                                std::vector<diagnostic>& errors) {
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    const auto add = [&](std::string file) {
        if (std::find(files.begin(), files.end(), file) == files.end())
            files.push_back(std::move(file));
    };
    for (const std::string& path : paths) {
        std::error_code ec;
        const fs::file_status status = fs::status(path, ec);
        if (ec || !fs::exists(status)) {
            errors.push_back({{path, 0, 0}, "no such file or folder"});
        } else if (fs::is_directory(status)) {
            std::vector<std::string> found;
            for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end;
                 it.increment(ec)) {
                if (it->is_regular_file(ec) && is_scenario_file(it->path()))
                    found.push_back(it->path().string());
            }
            if (ec)
                errors.push_back({{path, 0, 0}, "cannot list the folder: " + ec.message()});
            std::sort(found.begin(), found.end());
            for (std::string& file : found)
                add(std::move(file));
        } else {
            add(path);
        }
    }
    return files;
}

}  // namespace harness::scenario
