// Loading scenario files: the YAML text is parsed (syntax errors with their position), the file
// is read as one scenario or a suite whose scenarios inherit the file's variables, defaults,
// clients, components, stand-ins and background publishers, and every mistake found on the way
// is returned at once, sorted by position.
#include "harness/scenario/load.hpp"

#include <yaml-cpp/depthguard.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "parse.hpp"
#include "template_names.hpp"

namespace harness::scenario {
namespace {

using detail::get;
using detail::reader;

const std::vector<std::string_view> file_keys = {
    "name",      "description", "tags",  "variables", "defaults",   "clients", "components",
    "stand_ins", "background",  "steps", "scenarios", "statements", "requires"};
const std::vector<std::string_view> scenario_keys = {
    "name",       "description", "tags",       "variables", "defaults",   "clients",
    "components", "stand_ins",   "background", "steps",     "statements", "requires"};

/// The `name` of a scenario or suite: a string, and not an empty one. Single-scenario files read
/// the same node twice (file and scenario); the equal messages are kept once.
std::optional<std::string> read_name(reader& r, const YAML::Node& node, std::string_view what) {
    std::optional<std::string> name = r.string(node, what);
    if (name && name->empty()) {
        r.error(node, "expected a name, got an empty string");
        return std::nullopt;
    }
    return name;
}

/// The nodes a scenario is built from: the suite file's (when there is one), then its own.
struct layers {
    const YAML::Node* file = nullptr;
    const YAML::Node& own;
    /// The value of `key` on each layer that has it, file first.
    std::vector<YAML::Node> all(std::string_view key) const {
        std::vector<YAML::Node> found;
        if (file != nullptr) {
            if (auto value = get(*file, key))
                found.push_back(*value);
        }
        if (auto value = get(own, key))
            found.push_back(*value);
        return found;
    }
};

void read_variables(reader& r, const YAML::Node& node, std::map<std::string, std::string>& out) {
    if (!r.expect_map(node, "variables"))
        return;
    const std::vector<std::string_view> builtins = detail::builtin_template_names(false);
    for (const auto& entry : node) {
        const std::optional<std::string> name = r.string(entry.first, "a variable name");
        if (!name)
            continue;
        if (std::find(builtins.begin(), builtins.end(), *name) != builtins.end()) {
            r.error(entry.first, "variable `" + *name +
                                     "` has the name of a built-in template "
                                     "value; choose another name");
            continue;
        }
        if (!entry.second.IsScalar() && !entry.second.IsNull()) {
            r.error(entry.second, "expected the value of variable `" + *name +
                                      "` (a string, number or boolean), got " +
                                      detail::describe(entry.second));
            continue;
        }
        out[*name] = entry.second.IsNull() ? std::string() : entry.second.Scalar();
    }
}

void read_defaults(reader& r, const YAML::Node& node, defaults_spec& out) {
    if (!r.expect_map(node, "defaults"))
        return;
    r.check_keys(node, {"timeout", "qos", "protocol"}, "defaults");
    if (const auto value = get(node, "timeout")) {
        if (const auto timeout = r.duration(*value))
            out.timeout = timeout;
    }
    if (const auto value = get(node, "qos"))
        out.qos = r.qos(*value).value_or(out.qos);
    if (const auto value = get(node, "protocol"))
        out.version = r.protocol(*value).value_or(out.version);
}

void read_tags(reader& r, const YAML::Node& node, std::vector<std::string>& out) {
    if (!r.expect_list(node, "tags"))
        return;
    for (const auto& item : node) {
        if (std::optional<std::string> tag = r.string(item, "a tag"))
            if (std::find(out.begin(), out.end(), *tag) == out.end())
                out.push_back(std::move(*tag));
    }
}

/// `statements: [MQTT-3.1.2-4, ...]`: normative statement ids, checked for their form.
void read_statement_ids(reader& r, const YAML::Node& node, std::vector<std::string>& out) {
    if (!r.expect_list(node, "statements"))
        return;
    for (const auto& item : node) {
        const std::optional<std::string> id = r.string(item, "a statement id");
        if (!id)
            continue;
        const bool well_formed = id->starts_with("MQTT-") && id->size() > 7 &&
                                 id->find_first_not_of("0123456789.-", 5) == std::string::npos &&
                                 id->find('-', 5) != std::string::npos && id->back() != '-';
        if (!well_formed) {
            r.error(item,
                    "expected a statement id such as MQTT-3.1.2-4, got " + detail::describe(item));
            continue;
        }
        if (std::find(out.begin(), out.end(), *id) == out.end())
            out.push_back(*id);
    }
}

/// Reads the list under `key` on each layer with `parse`, reporting names given twice.
template <class Spec, class Parse>
std::vector<Spec> read_named(reader& r, const layers& from, std::string_view key,
                             std::string_view what, Parse parse) {
    std::vector<Spec> specs;
    std::size_t index = 0;
    for (const YAML::Node& list : from.all(key)) {
        if (!r.expect_list(list, key))
            continue;
        for (const auto& node : list) {
            Spec spec = parse(node, ++index);
            const auto earlier = std::find_if(specs.begin(), specs.end(),
                                              [&](const Spec& s) { return s.name == spec.name; });
            if (!spec.name.empty() && earlier != specs.end()) {
                r.error(spec.where, "duplicate " + std::string(what) + " name `" + spec.name +
                                        "` (first defined at line " +
                                        std::to_string(earlier->where.line) + ")");
                continue;
            }
            specs.push_back(std::move(spec));
        }
    }
    return specs;
}

scenario read_scenario(std::vector<diagnostic>& errors, const std::string& path, const layers& from,
                       const std::string& default_name) {
    reader r(path, errors);
    scenario result;
    result.file = path;
    result.where = r.where(from.own);
    result.name = default_name;
    if (const auto name = get(from.own, "name"))
        result.name = read_name(r, *name, "a scenario name").value_or(default_name);
    if (const auto description = get(from.own, "description"))
        result.description = r.string(*description, "a description").value_or("");
    for (const YAML::Node& tags : from.all("tags"))
        read_tags(r, tags, result.tags);
    for (const YAML::Node& ids : from.all("statements"))
        read_statement_ids(r, ids, result.statements);
    for (const YAML::Node& names : from.all("requires"))
        read_tags(r, names, result.requires_capabilities);
    for (const YAML::Node& variables : from.all("variables"))
        read_variables(r, variables, result.variables);
    for (const auto& [name, value] : result.variables)
        r.variables.push_back(name);
    for (const YAML::Node& defaults : from.all("defaults"))
        read_defaults(r, defaults, result.defaults);
    const defaults_spec& defaults = result.defaults;

    result.clients = read_named<client_spec>(r, from, "clients", "client",
                                             [&](const YAML::Node& node, std::size_t) {
                                                 return detail::parse_client(r, node, defaults);
                                             });
    for (const client_spec& client : result.clients) {
        r.clients.push_back(client.name);
        if (client.raw)
            r.raw_clients.push_back(client.name);
    }
    result.components = read_named<component_spec>(
        r, from, "components", "component", [&](const YAML::Node& node, std::size_t) {
            return detail::parse_component(r, node, defaults);
        });
    for (const component_spec& component : result.components)
        r.components.push_back(component.name);
    result.stand_ins = read_named<stand_in_spec>(
        r, from, "stand_ins", "stand-in",
        [&](const YAML::Node& node, std::size_t) { return detail::parse_stand_in(r, node); });
    result.background =
        read_named<background_spec>(r, from, "background", "background publisher",
                                    [&](const YAML::Node& node, std::size_t index) {
                                        return detail::parse_background(r, node, index);
                                    });
    const auto not_raw = [&](const std::string& client, const position& where) {
        if (std::find(r.raw_clients.begin(), r.raw_clients.end(), client) != r.raw_clients.end())
            r.error(where, "`" + client +
                               "` is a raw client; stand-ins and background "
                               "publishers need a client with a session");
    };
    for (const stand_in_spec& s : result.stand_ins)
        not_raw(s.client, s.where);
    for (const background_spec& b : result.background)
        not_raw(b.client, b.where);
    if (const auto steps = get(from.own, "steps"))
        result.steps = detail::parse_steps(r, *steps, defaults);
    return result;
}

void read_file(const YAML::Node& root, const std::string& path, load_result& result) {
    reader r(path, result.errors);
    const std::string stem = std::filesystem::path(path).stem().string();
    result.file.suite_name = stem;
    if (!root.IsMap()) {
        r.error(root,
                "expected a scenario (a map with `steps`) or a suite (a map with "
                "`scenarios`), got " +
                    detail::describe(root));
        return;
    }
    r.check_keys(root, file_keys, "the file");
    if (const auto name = get(root, "name"))
        result.file.suite_name = read_name(r, *name, "a name").value_or(stem);
    const auto steps = get(root, "steps");
    const auto scenarios = get(root, "scenarios");
    if (steps && scenarios) {
        r.error(*scenarios, "a file has `steps` (one scenario) or `scenarios` (a suite), not both");
        return;
    }
    if (!steps && !scenarios) {
        r.error(root, "missing `steps` (one scenario) or `scenarios` (a suite)");
        return;
    }
    if (steps) {
        result.file.scenarios.push_back(
            read_scenario(result.errors, path, layers{nullptr, root}, result.file.suite_name));
        return;
    }
    if (!r.expect_list(*scenarios, "scenarios"))
        return;
    if (scenarios->size() == 0)
        r.error(*scenarios, "a suite needs at least one scenario in `scenarios`");
    for (const auto& item : *scenarios) {
        if (!r.expect_map(item, "a scenario"))
            continue;
        r.check_keys(item, scenario_keys, "scenario");
        const bool named = r.require(item, "name", "scenario");
        r.require(item, "steps", "scenario");
        scenario loaded = read_scenario(result.errors, path, layers{&root, item}, "");
        if (named) {
            for (const scenario& earlier : result.file.scenarios) {
                if (!loaded.name.empty() && earlier.name == loaded.name) {
                    r.error(*get(item, "name"), "duplicate scenario name `" + loaded.name +
                                                    "` (first at line " +
                                                    std::to_string(earlier.where.line) + ")");
                }
            }
        }
        result.file.scenarios.push_back(std::move(loaded));
    }
}

/// Sorted by position; the same mistake found again (a suite's shared parts are read for each
/// of its scenarios) is kept once.
void tidy(std::vector<diagnostic>& errors) {
    std::stable_sort(errors.begin(), errors.end(), [](const diagnostic& a, const diagnostic& b) {
        return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    });
    std::vector<diagnostic> unique;
    for (diagnostic& error : errors) {
        const bool seen = std::any_of(unique.begin(), unique.end(), [&](const diagnostic& d) {
            return d.where.line == error.where.line && d.where.column == error.where.column &&
                   d.where.file == error.where.file && d.message == error.message;
        });
        if (!seen)
            unique.push_back(std::move(error));
    }
    errors = std::move(unique);
}

}  // namespace

std::string diagnostic::to_string() const {
    std::string text = where.file;
    if (where.line > 0) {
        text += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
    }
    return text + ": error: " + message;
}

load_result load_text(const std::string& text, const std::string& path) {
    load_result result;
    result.file.path = path;
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::DeepRecursion& e) {
        // yaml-cpp's guard against stack overflow; its own message is only "bad file".
        result.errors.push_back({{path, e.mark.line + 1, e.mark.column + 1},
                                 "syntax error: lists and maps nested too deeply"});
        return result;
    } catch (const YAML::ParserException& e) {
        result.errors.push_back(
            {{path, e.mark.line + 1, e.mark.column + 1}, "syntax error: " + e.msg});
        return result;
    } catch (const YAML::Exception& e) {
        result.errors.push_back({{path, 0, 0}, std::string("cannot read YAML: ") + e.what()});
        return result;
    }
    try {
        read_file(root, path, result);
    } catch (const YAML::Exception& e) {
        const bool has_mark = !e.mark.is_null();
        result.errors.push_back(
            {{path, has_mark ? e.mark.line + 1 : 0, has_mark ? e.mark.column + 1 : 0},
             "cannot read YAML: " + e.msg});
    }
    tidy(result.errors);
    return result;
}

load_result load_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec)) {
        load_result result;
        result.file.path = path;
        const std::string reason =
            std::filesystem::is_directory(path, ec) ? "it is a folder" : std::strerror(errno);
        result.errors.push_back({{path, 0, 0}, "cannot read the file: " + reason});
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return load_text(text.str(), path);
}

}  // namespace harness::scenario
