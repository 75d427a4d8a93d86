// Internal to harness/scenario: reading YAML nodes into typed values with positions. Every
// problem becomes a diagnostic (file, line, column, what was expected) and reading goes on, so
// one load reports all mistakes. Also the checks shared by the parsers: templates, topics,
// references to clients and components, and "did you mean" suggestions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/load.hpp"

namespace harness::scenario::detail {

/// Optimal string alignment distance (edits, with adjacent swaps counting one), ignoring case.
std::size_t edit_distance(std::string_view a, std::string_view b);
/// The candidate closest to `name` when it is close enough to be a likely typo.
std::optional<std::string> closest(std::string_view name,
                                   const std::vector<std::string_view>& candidates);
/// " (did you mean `x`?)" or "".
std::string did_you_mean(std::string_view name, const std::vector<std::string_view>& candidates);

/// "`5`", "a map", "a list" or "nothing": what a node holds, for "got ..." messages.
std::string describe(const YAML::Node& node);
/// True for a plain (unquoted) scalar.
bool is_plain(const YAML::Node& node);

class reader {
  public:
    reader(std::string file, std::vector<diagnostic>& errors);

    const std::string& file() const noexcept { return file_; }
    position where(const YAML::Node& node) const;
    void error(const YAML::Node& node, std::string message);
    void error(const position& at, std::string message);
    std::size_t error_count() const noexcept { return errors_.size(); }

    // --- maps ---
    /// Reports "expected <what> (a map), got ..." unless `node` is a map.
    bool expect_map(const YAML::Node& node, std::string_view what);
    bool expect_list(const YAML::Node& node, std::string_view what);
    /// Reports unknown keys (with a "did you mean") and repeated keys of `map`.
    void check_keys(const YAML::Node& map, const std::vector<std::string_view>& known,
                    std::string_view what);
    /// Reports a missing key at the map; false when it is missing.
    bool require(const YAML::Node& map, std::string_view key, std::string_view what);

    // --- scalars; nullopt (after a diagnostic) on a wrong type ---
    std::optional<std::string> string(const YAML::Node& node, std::string_view what);
    std::optional<bool> boolean(const YAML::Node& node);
    std::optional<std::int64_t> integer(const YAML::Node& node, std::int64_t min, std::int64_t max);
    std::optional<double> number(const YAML::Node& node, double min_exclusive);
    /// "500ms", "2s", "1.5s", "1m".
    std::optional<milliseconds> duration(const YAML::Node& node);
    /// A duration of whole seconds or a plain integer number of seconds.
    std::optional<std::uint32_t> seconds(const YAML::Node& node, std::uint32_t max);
    std::optional<int> qos(const YAML::Node& node);
    /// "3.1" -> 3, "3.1.1" -> 4, "5" / "5.0" -> 5.
    std::optional<int> protocol(const YAML::Node& node);
    /// A reason code as a number or a name such as `not_authorized`.
    std::optional<int> reason(const YAML::Node& node);
    /// An ECMAScript regular expression that compiles.
    std::optional<std::string> regex(const YAML::Node& node);
    /// `path` relative to the scenario file's folder, made absolute.
    std::string resolve_path(std::string_view path) const;
    /// The scenario file's folder, absolute.
    std::string base_dir() const;

    // --- checks ---
    /// Names that templates may use besides the built-ins.
    std::vector<std::string> variables;
    /// Checks the "{{...}}" references of `text` (from `node`); false when it has references.
    bool check_template(const YAML::Node& node, const std::string& text, bool in_stand_in);
    /// Template check, then (when it has no template) the topic name / filter rules.
    void check_topic_name(const YAML::Node& node, const std::string& topic, bool in_stand_in);
    void check_topic_filter(const YAML::Node& node, const std::string& filter);

    /// Client and component names of the scenario being read.
    std::vector<std::string> clients;
    std::vector<std::string> raw_clients;  // those with `raw: true`
    std::vector<std::string> components;
    void check_client(const YAML::Node& node, const std::string& name);
    void check_component(const YAML::Node& node, const std::string& name);

    /// JSON values (see to_json) this scenario may still build: YAML aliases let a few lines
    /// stand for billions of values (`&b [*a, *a, ...]`, level upon level).
    static constexpr std::size_t max_json_values = 10'000;
    std::size_t json_values_left = max_json_values;

  private:
    std::string file_;
    std::filesystem::path base_;
    std::vector<diagnostic>& errors_;
};

/// The value of `key` in `map` (which must be a map), or nullopt.
std::optional<YAML::Node> get(const YAML::Node& map, std::string_view key);

}  // namespace harness::scenario::detail
