// Loading and checking a statement list (statements.hpp) with yaml-cpp; every problem is reported
// with its file, line and column.
#include "harness/conformance/statements.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace harness::conformance {
namespace {

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

class checker {
  public:
    explicit checker(std::string file) : file_(std::move(file)) {}

    void error(const YAML::Mark& at, const std::string& what) {
        errors_.push_back(file_ + ":" + std::to_string(at.line + 1) + ":" +
                          std::to_string(at.column + 1) + ": error: " + what);
    }

    /// The scalar `key` of `map`, or nullopt (and an error) when it is missing or not a scalar.
    std::optional<std::string> text(const YAML::Node& map, const char* key) {
        const auto node = map[key];
        if (!node || !node.IsScalar() || node.Scalar().empty()) {
            error(node ? node.Mark() : map.Mark(),
                  std::string("expected '") + key + "' as a non-empty text");
            return std::nullopt;
        }
        return node.Scalar();
    }

    std::optional<bool> flag(const YAML::Node& map, const char* key) {
        const auto node = map[key];
        bool value = false;
        if (!node || !node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
            error(node ? node.Mark() : map.Mark(),
                  std::string("expected '") + key + "' as true or false");
            return std::nullopt;
        }
        return value;
    }

    std::vector<std::string>& errors() { return errors_; }

  private:
    std::string file_;
    std::vector<std::string> errors_;
};

std::optional<statement> read_statement(const YAML::Node& entry, checker& c,
                                        std::set<std::string>& seen) {
    if (!entry.IsMap()) {
        c.error(entry.Mark(), "expected a statement (a map with id, section, summary, ...)");
        return std::nullopt;
    }
    statement s;
    s.line = static_cast<std::size_t>(entry.Mark().line + 1);
    bool ok = true;
    if (const auto id = c.text(entry, "id")) {
        s.id = *id;
        const auto section = section_of(s.id);
        if (!section) {
            c.error(entry["id"].Mark(), "expected an id like MQTT-3.1.2-4, got '" + s.id + "'");
            ok = false;
        } else if (!seen.insert(s.id).second) {
            c.error(entry["id"].Mark(), "duplicate id " + s.id);
            ok = false;
        } else if (const auto written = c.text(entry, "section")) {
            s.section = *written;
            if (s.section != *section) {
                c.error(entry["section"].Mark(), "expected section \"" + *section + "\" for " +
                                                     s.id + ", got \"" + s.section + "\"");
                ok = false;
            }
        } else {
            ok = false;
        }
    } else {
        ok = false;
    }
    if (const auto summary = c.text(entry, "summary"))
        s.summary = *summary;
    else
        ok = false;
    if (const auto binds = c.text(entry, "binds")) {
        if (*binds == "server")
            s.binds = binding::server;
        else if (*binds == "client")
            s.binds = binding::client;
        else if (*binds == "both")
            s.binds = binding::both;
        else {
            c.error(entry["binds"].Mark(),
                    "expected binds: server, client or both, got '" + *binds + "'");
            ok = false;
        }
    } else {
        ok = false;
    }
    if (const auto observable = c.flag(entry, "observable")) {
        s.observable = *observable;
        if (!s.observable) {
            if (const auto reason = c.text(entry, "reason"))
                s.reason = *reason;
            else
                ok = false;
        } else if (entry["reason"]) {
            c.error(entry["reason"].Mark(), "a reason is for statements that are not observable");
            ok = false;
        } else if (entry["gap"]) {
            if (const auto gap = c.text(entry, "gap"))
                s.gap = *gap;
            else
                ok = false;
        }
        if (!s.observable && entry["gap"]) {
            c.error(entry["gap"].Mark(), "a gap is for observable statements without a check");
            ok = false;
        }
    } else {
        ok = false;
    }
    if (!ok)
        return std::nullopt;
    return s;
}

}  // namespace

const statement* statement_list::find(std::string_view id) const {
    const auto it = std::find_if(statements.begin(), statements.end(),
                                 [&](const statement& s) { return s.id == id; });
    return it == statements.end() ? nullptr : &*it;
}

std::optional<std::string> section_of(std::string_view id) {
    if (!id.starts_with("MQTT-"))
        return std::nullopt;
    id.remove_prefix(5);
    const auto dash = id.rfind('-');
    if (dash == std::string_view::npos || !all_digits(id.substr(dash + 1)))
        return std::nullopt;
    std::string section(id.substr(0, dash));
    std::string_view rest = section;
    while (!rest.empty()) {  // N(.N)*
        const auto dot = rest.find('.');
        if (!all_digits(rest.substr(0, dot)))
            return std::nullopt;
        rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
        if (dot != std::string_view::npos && rest.empty())
            return std::nullopt;
    }
    if (section.empty())
        return std::nullopt;
    while (section.size() > 2 && section.ends_with(".0"))
        section.resize(section.size() - 2);
    return section;
}

statements_result parse_statements(std::string_view text, const std::string& file_name) {
    statements_result result;
    checker c(file_name);
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        c.error(e.mark, e.msg);
        result.errors = std::move(c.errors());
        return result;
    }
    statement_list list;
    if (!root.IsMap()) {
        c.error(root.Mark(), "expected a map with 'spec' and 'statements'");
    } else {
        if (const auto spec = c.text(root, "spec")) {
            list.spec = *spec;
            if (list.spec != "3.1.1" && list.spec != "5.0")
                c.error(root["spec"].Mark(), "expected spec \"3.1.1\" or \"5.0\"");
        }
        const auto entries = root["statements"];
        if (!entries || !entries.IsSequence()) {
            c.error(entries ? entries.Mark() : root.Mark(),
                    "expected 'statements' as a list of statements");
        } else {
            std::set<std::string> seen;
            for (const auto& entry : entries) {
                if (auto s = read_statement(entry, c, seen))
                    list.statements.push_back(std::move(*s));
            }
        }
    }
    result.errors = std::move(c.errors());
    if (result.errors.empty())
        result.list = std::move(list);
    return result;
}

statements_result load_statements(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        statements_result result;
        result.errors.push_back(file.string() + ": error: cannot read the file");
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_statements(text.str(), file.string());
}

}  // namespace harness::conformance
