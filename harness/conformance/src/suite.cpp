// Loading, selecting and running the conformance checks, and the verdicts per statement.
#include "harness/conformance/suite.hpp"

#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

namespace harness::conformance {

namespace {

std::string upper(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    return out;
}

/// Checks of one spec: every scenario cites statements of that spec, needs known capabilities
/// and speaks its protocol level.
void validate(const spec_checks& spec, std::vector<std::string>& errors) {
    for (const auto& file : spec.files) {
        for (const auto& s : file.scenarios) {
            const std::string at = s.where.to_string();
            if (s.statements.empty())
                errors.push_back(at +
                                 ": error: a conformance check names the statements it "
                                 "verifies (`statements: [MQTT-...]`)");
            for (const auto& id : s.statements) {
                if (spec.statements.find(id) == nullptr)
                    errors.push_back(at + ": error: " + id + " is not a statement of MQTT " +
                                     spec.spec);
            }
            for (const auto& written : s.requires_capabilities) {
                // "!name": the check applies only to brokers without the capability.
                const std::string_view name =
                    std::string_view(written).substr(written.starts_with('!') ? 1 : 0);
                const auto known = capability_names();
                if (std::find(known.begin(), known.end(), name) == known.end())
                    errors.push_back(at + ": error: unknown capability `" + written +
                                     "` in requires (known: mqtt3.1.1, mqtt5, qos1, qos2, "
                                     "retain, wildcards, shared_subscriptions, "
                                     "subscription_identifiers, topic_alias, sys_topics, "
                                     "empty_client_id, websocket; ! before a name: absent)");
            }
            for (const auto& c : s.clients) {
                if (c.version != spec.protocol)
                    errors.push_back(c.where.to_string() + ": error: client `" + c.name +
                                     "` speaks protocol level " + std::to_string(c.version) +
                                     "; checks of MQTT " + spec.spec + " use level " +
                                     std::to_string(spec.protocol));
            }
        }
    }
}

/// Whether a failed check saw nothing from the broker: no packet on any connection, and no
/// connection closed by it.
bool broker_was_silent(const runner::scenario_result& r) {
    for (const auto& t : r.trace) {
        if (t.what.starts_with("<- ") || t.what.starts_with("connection closed"))
            return false;
    }
    return true;
}

int severity(outcome o) {
    switch (o) {
        case outcome::fail:
            return 3;
        case outcome::inconclusive:
            return 2;
        case outcome::pass:
            return 1;
        default:
            return 0;
    }
}

/// Sections in numeric order: "3.1.2" before "3.10".
bool section_less(const std::string& a, const std::string& b) {
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const auto ea = a.find('.', i), eb = b.find('.', j);
        const int na = std::atoi(a.substr(i, ea - i).c_str());
        const int nb = std::atoi(b.substr(j, eb - j).c_str());
        if (na != nb)
            return na < nb;
        i = ea == std::string::npos ? a.size() : ea + 1;
        j = eb == std::string::npos ? b.size() : eb + 1;
    }
    return a.size() - i < b.size() - j;
}

}  // namespace

std::string_view to_string(outcome o) noexcept {
    switch (o) {
        case outcome::pass:
            return "pass";
        case outcome::fail:
            return "fail";
        case outcome::not_applicable:
            return "not applicable";
        default:
            return "inconclusive";
    }
}

std::filesystem::path default_suite_dir() {
    if (const char* env = std::getenv("MQTT_HARNESS_CONFORMANCE_DIR"); env != nullptr && *env)
        return env;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto installed =
            exe.parent_path().parent_path() / "share" / "mqtt-harness" / "conformance";
        if (std::filesystem::is_directory(installed, ec))
            return installed;
    }
    return HARNESS_CONFORMANCE_SOURCE_DIR;
}

suite_load_result load_suite(const std::filesystem::path& dir) {
    suite_load_result out;
    const std::pair<std::string, int> specs[] = {{"3.1.1", 4}, {"5.0", 5}};
    for (const auto& [name, level] : specs) {
        spec_checks spec;
        spec.spec = name;
        spec.protocol = level;
        auto statements = load_statements(dir / "statements" / ("mqtt-" + name + ".yaml"));
        for (auto& e : statements.errors)
            out.errors.push_back(std::move(e));
        if (!statements.list)
            continue;
        spec.statements = std::move(*statements.list);
        std::vector<scenario::diagnostic> problems;
        const auto folder = (dir / "checks" / ("mqtt-" + name)).string();
        for (const auto& path : scenario::collect_scenario_files({folder}, problems)) {
            auto loaded = scenario::load_file(path);
            for (const auto& d : loaded.errors)
                problems.push_back(d);
            if (loaded.ok())
                spec.files.push_back(std::move(loaded.file));
        }
        for (const auto& d : problems)
            out.errors.push_back(d.to_string());
        validate(spec, out.errors);
        out.loaded.specs.push_back(std::move(spec));
    }
    return out;
}

bool selection::selects(const scenario::scenario& s) const {
    if (only.empty())
        return true;
    for (const auto& pattern : only) {
        for (const auto& id : s.statements) {
            if (upper(id) == upper(pattern))
                return true;
        }
        runner::selection by_name;
        by_name.name_patterns = {pattern};
        if (by_name.selects(s))
            return true;
    }
    return false;
}

std::size_t conformance_result::count(outcome o) const noexcept {
    return static_cast<std::size_t>(std::count_if(
        checks.begin(), checks.end(), [o](const check_result& c) { return c.verdict == o; }));
}

conformance_result run_suite(const suite& s, const selection& which, const capabilities& caps,
                             const runner::run_all_options& options) {
    conformance_result out;
    out.caps = caps;
    // The runnable checks go to the runner; the others get their verdict here.
    std::vector<scenario::scenario_file> runnable;
    struct pending {
        const spec_checks* spec;
        const scenario::scenario* check;
        std::string not_applicable;
    };
    std::vector<pending> order;
    for (const auto& spec : s.specs) {
        if (which.protocol != 0 && which.protocol != spec.protocol)
            continue;
        const bool speaks = spec.protocol == 4 ? caps.mqtt311 : caps.mqtt5;
        for (const auto& file : spec.files) {
            scenario::scenario_file kept;
            kept.path = file.path;
            kept.suite_name = file.suite_name;
            for (const auto& check : file.scenarios) {
                if (!which.selects(check))
                    continue;
                std::string missing;
                if (!speaks)
                    missing = "the broker does not accept MQTT " + spec.spec;
                for (const auto& need : check.requires_capabilities) {
                    if (!missing.empty())
                        break;
                    if (need.starts_with('!') && caps.has(need.substr(1)))
                        missing = "applies to brokers without " + need.substr(1);
                    else if (!need.starts_with('!') && !caps.has(need))
                        missing = "the broker lacks " + need;
                }
                order.push_back({&spec, &check, missing});
                if (missing.empty())
                    kept.scenarios.push_back(check);
            }
            if (!kept.scenarios.empty())
                runnable.push_back(std::move(kept));
        }
    }
    runner::run_result run = runner::run_all(runnable, runner::selection{}, options);
    // Results by (file, name); a check name is unique in its file.
    std::map<std::pair<std::string, std::string>, const runner::scenario_result*> by_name;
    for (const auto& r : run.scenarios)
        by_name[{r.file, r.name}] = &r;
    for (const auto& p : order) {
        check_result c;
        c.spec = p.spec->spec;
        c.statements = p.check->statements;
        if (!p.not_applicable.empty()) {
            c.verdict = outcome::not_applicable;
            c.reason = p.not_applicable;
            c.run.file = p.check->file;
            c.run.name = p.check->name;
            c.run.outcome = runner::verdict::skipped;
            c.run.skip_reason = "not applicable: " + p.not_applicable;
        } else if (auto it = by_name.find({p.check->file, p.check->name}); it != by_name.end()) {
            c.run = *it->second;
            switch (c.run.outcome) {
                case runner::verdict::passed:
                    c.verdict = outcome::pass;
                    break;
                case runner::verdict::failed:
                    c.verdict = outcome::fail;
                    if (broker_was_silent(c.run)) {
                        // Nothing came back: the check saw the statement neither kept nor broken.
                        c.verdict = outcome::inconclusive;
                        c.reason = "the broker sent nothing and did not close the connection";
                    }
                    break;
                case runner::verdict::skipped:
                    c.verdict = outcome::not_applicable;
                    c.reason = c.run.skip_reason;
                    break;
                default:
                    c.verdict = outcome::inconclusive;
            }
        } else {
            c.verdict = outcome::inconclusive;  // not run: interrupted
            c.run.file = p.check->file;
            c.run.name = p.check->name;
            c.run.outcome = runner::verdict::skipped;
            c.run.skip_reason = "not run";
        }
        out.checks.push_back(std::move(c));
    }
    // The runner's view for JUnit and JSON: every check in order, not applicable as skipped.
    out.run = std::move(run);
    out.run.scenarios.clear();
    for (const auto& c : out.checks)
        out.run.scenarios.push_back(c.run);
    // Per statement: the worst verdict of the checks that cite it.
    std::map<std::pair<std::string, std::string>, std::size_t> index;
    for (std::size_t i = 0; i < out.checks.size(); ++i) {
        const auto& c = out.checks[i];
        for (const auto& id : c.statements) {
            auto [it, added] = index.try_emplace({c.spec, id}, out.statements.size());
            if (added) {
                statement_verdict v;
                v.spec = c.spec;
                for (const auto& spec : s.specs) {
                    if (spec.spec == c.spec)
                        v.about = spec.statements.find(id);
                }
                v.verdict = c.verdict;
                out.statements.push_back(v);
            }
            auto& v = out.statements[it->second];
            v.checks.push_back(i);
            if (severity(c.verdict) > severity(v.verdict))
                v.verdict = c.verdict;
        }
    }
    std::stable_sort(out.statements.begin(), out.statements.end(),
                     [](const statement_verdict& a, const statement_verdict& b) {
                         if (a.spec != b.spec)
                             return a.spec < b.spec;
                         const std::string sa = a.about ? a.about->section : "";
                         const std::string sb = b.about ? b.about->section : "";
                         if (sa != sb)
                             return section_less(sa, sb);
                         return false;
                     });
    return out;
}

coverage coverage_of(const spec_checks& spec) {
    coverage out;
    out.spec = spec.spec;
    std::set<std::string> checked;
    for (const auto& file : spec.files) {
        for (const auto& s : file.scenarios)
            checked.insert(s.statements.begin(), s.statements.end());
    }
    std::map<std::string, section_coverage> sections;
    for (const auto& st : spec.statements.statements) {
        auto& sc = sections[st.section];
        sc.section = st.section;
        ++sc.statements;
        ++out.statements;
        if (st.observable) {
            ++sc.observable;
            ++out.observable;
        }
        if (checked.count(st.id) > 0) {
            ++sc.checked;
            ++out.checked;
        } else if (st.observable) {
            sc.unchecked_observable.push_back(st.id);
        }
    }
    for (auto& [name, sc] : sections)
        out.sections.push_back(std::move(sc));
    std::sort(out.sections.begin(), out.sections.end(),
              [](const section_coverage& a, const section_coverage& b) {
                  return section_less(a.section, b.section);
              });
    return out;
}

}  // namespace harness::conformance
