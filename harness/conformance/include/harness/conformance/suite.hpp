// The conformance suite: the checks (scenario files under scenarios/conformance/checks/, one
// folder per specification), validated against the statement lists, selected by protocol and
// pattern, run through the scenario runner after the capability probe, and turned into verdicts
// per check and per normative statement, with coverage per specification section.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/conformance/probe.hpp"
#include "harness/conformance/statements.hpp"
#include "harness/runner/run_all.hpp"
#include "harness/scenario/load.hpp"

namespace harness::conformance {

/// The specifications the suite knows: "3.1.1" (protocol level 4) and "5.0" (level 5).
struct spec_checks {
    std::string spec;                            // "3.1.1" or "5.0"
    int protocol = 5;                            // 4 or 5
    statement_list statements;                   // every normative statement of the spec
    std::vector<scenario::scenario_file> files;  // the checks
};

struct suite {
    std::vector<spec_checks> specs;  // 3.1.1 first
};

struct suite_load_result {
    suite loaded;
    /// "FILE:LINE:COLUMN: message": bad YAML, a check without statements, an id the spec does
    /// not have, an unknown capability, a client of the wrong protocol level.
    std::vector<std::string> errors;
};

/// Loads `dir` (statements/ and checks/mqtt-3.1.1, checks/mqtt-5.0 under it).
suite_load_result load_suite(const std::filesystem::path& dir);

/// The folder of the suite's data: $MQTT_HARNESS_CONFORMANCE_DIR, else the installed copy next
/// to the binary (../share/mqtt-harness/conformance), else the source tree's.
std::filesystem::path default_suite_dir();

enum class outcome { pass, fail, not_applicable, inconclusive };
std::string_view to_string(outcome o) noexcept;

struct check_result {
    std::string spec;
    std::vector<std::string> statements;
    outcome verdict = outcome::pass;
    std::string reason;           // not applicable: the missing capability; otherwise empty
    runner::scenario_result run;  // name, file, failure, trace
};

struct statement_verdict {
    const statement* about = nullptr;
    std::string spec;
    outcome verdict = outcome::not_applicable;
    std::vector<std::size_t> checks;  // indexes into conformance_result::checks
};

struct conformance_result {
    capabilities caps;
    std::vector<check_result> checks;
    /// Per cited statement, worst verdict first: fail, inconclusive, pass, not applicable.
    std::vector<statement_verdict> statements;
    runner::run_result run;  // the runner's view (for JUnit): not-applicable checks as skipped
    std::size_t count(outcome o) const noexcept;
};

struct selection {
    int protocol = 0;               // 0: every spec the broker speaks; 4 or 5
    std::vector<std::string> only;  // statement ids, or text/globs of check names
    bool selects(const scenario::scenario& s) const;
};

/// Runs the selected checks of `s` with `options` (broker, timeout, jobs, callbacks); checks
/// whose capability `caps` lacks are not applicable, and so is a whole spec the broker does
/// not speak.
conformance_result run_suite(const suite& s, const selection& which, const capabilities& caps,
                             const runner::run_all_options& options);

/// Coverage of one spec by the checks: per section, the statements, the observable ones, and
/// those with a check.
struct section_coverage {
    std::string section;
    std::size_t statements = 0;
    std::size_t observable = 0;
    std::size_t checked = 0;
    std::vector<std::string> unchecked_observable;  // ids: observable, no check yet
};
struct coverage {
    std::string spec;
    std::vector<section_coverage> sections;  // in section order
    std::size_t statements = 0, observable = 0, checked = 0;
};
coverage coverage_of(const spec_checks& spec);

}  // namespace harness::conformance
