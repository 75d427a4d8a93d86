// `mqtt-harness validate`: checks scenario files without running them; the examples are valid
// (exit 0), and a file with mistakes exits 2 with the same file:line:col diagnostics as `run`.
#include <gtest/gtest.h>

#include <string>

#include "scenario_cli.hpp"
#include "support/temp_dir.hpp"

namespace harness::cli::testing {
namespace {

using test_support::temp_dir;

TEST(ValidateCommand, ExamplesAreValid) {
    const auto r = run_harness({"validate", source_path("scenarios/examples")});
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_NE(r.out.find("scenarios: valid"), std::string::npos) << r;
    EXPECT_TRUE(r.err.empty()) << r;
}

TEST(ValidateCommand, FailingExampleIsValidBecauseNothingRuns) {
    const auto r = run_harness({"validate", source_path("scenarios/failing-examples")});
    EXPECT_EQ(r.status, 0) << r;
    EXPECT_NE(r.out.find("1 file, 1 scenario: valid"), std::string::npos) << r;
}

TEST(ValidateCommand, MistakesExitTwoWithTheSameDiagnosticsAsRun) {
    temp_dir dir("harness-validate-cli");
    // Line 6: `retain` takes a boolean, not a map; line 7: `withn` is a misspelt `within`.
    const auto file = dir.write("mistakes.yaml", R"(name: mistakes
clients:
  - name: a
steps:
  - subscribe: {client: a, topic: x, qos: 1}
  - publish: {client: a, topic: x, payload: y, retain: {a: 1}}
  - expect: {client: a, topic: x, withn: 2s}
)");
    const auto validated = run_harness({"validate", file});
    EXPECT_EQ(validated.status, 2) << validated;
    const std::string wrong_type = file + ":6:56: error: expected true or false, got a map";
    const std::string unknown_key =
        file + ":7:35: error: unknown key `withn` in expect (did you mean `within`?)";
    EXPECT_NE(validated.err.find(wrong_type), std::string::npos) << validated;
    EXPECT_NE(validated.err.find(unknown_key), std::string::npos) << validated;
    EXPECT_NE(validated.err.find("2 errors in scenario files"), std::string::npos) << validated;
    EXPECT_EQ(validated.out.find("valid"), std::string::npos) << validated;

    const auto ran = run_harness({"run", file});
    EXPECT_EQ(ran.status, 2) << ran;
    EXPECT_EQ(ran.err, validated.err) << "run and validate report the same mistakes";
}

TEST(ValidateCommand, MissingPathExitsTwo) {
    temp_dir dir("harness-validate-cli");
    const auto r = run_harness({"validate", dir.file("no-such-file.yaml")});
    EXPECT_EQ(r.status, 2) << r;
    EXPECT_NE(r.err.find("no-such-file.yaml"), std::string::npos) << r;
}

}  // namespace
}  // namespace harness::cli::testing
