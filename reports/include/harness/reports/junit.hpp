// JUnit XML in the Ant format that Jenkins and GitLab read: one <testsuite> per scenario file,
// one <testcase> per scenario run, failures with expected-versus-seen detail, the trace and the
// component logs as <system-out>. reports/schema/junit.xsd describes what is written.
#pragma once

#include <filesystem>
#include <string>
#include <system_error>

#include "harness/runner/result.hpp"

namespace harness::reports {

/// The report as an XML document (UTF-8, with declaration). Suites appear in the order their
/// files first appear in `run.scenarios`; a suite is named after scenario_result::suite (the
/// file's classname when that is empty). Times are seconds with a '.' and three decimals;
/// timestamps are UTC without a zone, as Ant writes them. Text is stripped of characters XML 1.0
/// does not allow and escaped by the XML writer.
std::string junit_xml(const runner::run_result& run);

/// Writes junit_xml(run) to `file` atomically (see write_file_atomically); an empty error_code
/// means success.
std::error_code write_junit(const std::filesystem::path& file, const runner::run_result& run);

}  // namespace harness::reports
