// libFuzzer target over the scenario loader: the input is YAML text, loaded with load_text() as
// "/fuzz/input.yaml" (so `file:` payloads resolve under /fuzz/, which does not exist). The
// product promise is that bad input gets a clear error and never a crash, so the target aborts
// when an exception escapes, a diagnostic has no message or a negative position, diagnostics are
// not sorted by position, or a file that loads without errors has a scenario without a name or a
// step of no known kind. ASan and UBSan catch memory and undefined-behaviour errors.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <tuple>

#include "harness/scenario/load.hpp"
#include "harness/scenario/model.hpp"

namespace {

namespace scenario = harness::scenario;

constexpr const char* fuzz_path = "/fuzz/input.yaml";

constexpr std::array<std::string_view, 10> step_kinds = {
    "connect",     "subscribe", "unsubscribe", "publish", "expect",
    "expect_none", "wait_log",  "disconnect",  "sleep",   "fault"};

[[noreturn]] void fail(const std::string& what, const scenario::load_result* result = nullptr) {
    std::fprintf(stderr, "scenario_load_fuzzer: %s\n", what.c_str());
    if (result != nullptr) {
        for (const scenario::diagnostic& d : result->errors)
            std::fprintf(stderr, "  line %d column %d: %s\n", d.where.line, d.where.column,
                         d.message.c_str());
    }
    std::abort();
}

void check_diagnostics(const scenario::load_result& result) {
    for (const scenario::diagnostic& d : result.errors) {
        if (d.message.empty())
            fail("a diagnostic has an empty message", &result);
        if (d.where.line < 0 || d.where.column < 0)
            fail("a diagnostic has a negative line or column", &result);
        if (d.where.line == 0 && d.where.column != 0)
            fail("a diagnostic has a column but no line", &result);
        if (d.where.file != fuzz_path)
            fail("a diagnostic names another file: " + d.where.file, &result);
        if (d.to_string().find(d.message) == std::string::npos)
            fail("a diagnostic's text lacks its message", &result);
    }
    const auto by_position = [](const scenario::diagnostic& a, const scenario::diagnostic& b) {
        return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    };
    if (!std::is_sorted(result.errors.begin(), result.errors.end(), by_position))
        fail("diagnostics are not sorted by position", &result);
}

void check_valid_file(const scenario::load_result& result) {
    if (result.file.path != fuzz_path)
        fail("the loaded file has another path: " + result.file.path);
    if (result.file.scenarios.empty())
        fail("a file without errors has no scenario");
    for (const scenario::scenario& s : result.file.scenarios) {
        if (s.name.empty())
            fail("a scenario without errors has no name");
        for (const scenario::step& step : s.steps) {
            if (step.body.valueless_by_exception())
                fail("a step has no body");
            const std::string_view kind = scenario::step_kind(step.body);
            if (std::find(step_kinds.begin(), step_kinds.end(), kind) == step_kinds.end())
                fail("a step has an unknown kind: " + std::string(kind));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    scenario::load_result result;
    try {
        result = scenario::load_text(text, fuzz_path);
    } catch (const std::exception& e) {
        fail(std::string("load_text threw: ") + e.what());
    } catch (...) {
        fail("load_text threw something that is not a std::exception");
    }
    check_diagnostics(result);
    if (result.ok())
        check_valid_file(result);
    return 0;
}
