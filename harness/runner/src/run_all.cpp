// Many scenarios over worker threads.
#include "harness/runner/run_all.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <thread>

namespace harness::runner {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool pattern_matches(const std::string& pattern, const std::string& text) {
    if (pattern.find_first_of("*?[") != std::string::npos)
        return fnmatch(lower(pattern).c_str(), lower(text).c_str(), 0) == 0;
    return lower(text).find(lower(pattern)) != std::string::npos;
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0)
        return "localhost";
    return buf;
}

struct job {
    const scenario::scenario* s;
    int attempt;
};

}  // namespace

bool selection::selects(const scenario::scenario& s) const {
    if (!name_patterns.empty()) {
        const auto full = s.file + " › " + s.name;
        bool any = false;
        for (const auto& p : name_patterns)
            any = any || pattern_matches(p, s.name) || pattern_matches(p, full);
        if (!any)
            return false;
    }
    if (!tags.empty()) {
        bool any = false;
        for (const auto& t : tags)
            any = any || std::find(s.tags.begin(), s.tags.end(), t) != s.tags.end();
        if (!any)
            return false;
    }
    return true;
}

run_result run_all(const std::vector<scenario::scenario_file>& files, const selection& which,
                   const run_all_options& options) {
    run_result run;
    run.started = std::chrono::system_clock::now();
    run.hostname = host_name();
    run.seed = options.base.seed;
    run.broker =
        options.base.broker
            ? options.base.broker->to_string()
            : "embedded" +
                  (options.base.embedded.kind == transport::scheme::mqtt
                       ? std::string()
                       : ":" + std::string(transport::to_string(options.base.embedded.kind)));
    const auto t0 = std::chrono::steady_clock::now();

    std::vector<job> jobs;
    for (const auto& f : files)
        for (const auto& s : f.scenarios)
            if (which.selects(s))
                for (unsigned a = 1; a <= std::max(1u, options.repeat); ++a)
                    jobs.push_back(job{&s, static_cast<int>(a)});

    std::vector<scenario_result> results(jobs.size());
    std::vector<bool> ran(jobs.size(), false);
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop_launching{false};
    std::mutex report;

    auto worker = [&] {
        for (;;) {
            const auto i = next.fetch_add(1);
            if (i >= jobs.size())
                return;
            if (stop_launching || (options.base.stop && options.base.stop->fired()))
                continue;
            auto o = options.base;
            o.scenario_index = i;
            auto r = run_scenario(*jobs[i].s, o);
            r.attempt = jobs[i].attempt;
            std::lock_guard lock(report);
            if (options.fail_fast && (r.outcome == verdict::failed || r.outcome == verdict::error))
                stop_launching = true;
            ran[i] = true;
            results[i] = std::move(r);
            if (options.on_result)
                options.on_result(results[i]);
        }
    };
    const unsigned n = std::clamp<unsigned>(options.jobs, 1, std::max<std::size_t>(1, jobs.size()));
    std::vector<std::thread> threads;
    for (unsigned k = 1; k < n; ++k)
        threads.emplace_back(worker);
    worker();
    for (auto& t : threads)
        t.join();

    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (!ran[i]) {
            auto& r = results[i];
            r.file = jobs[i].s->file;
            r.name = jobs[i].s->name;
            r.tags = jobs[i].s->tags;
            r.attempt = jobs[i].attempt;
            r.outcome = verdict::skipped;
            r.skip_reason = options.base.stop && options.base.stop->fired()
                                ? "not run: interrupted"
                                : "not run: --fail-fast after a failure";
            if (options.on_result)
                options.on_result(r);  // a SKIP line, so the console accounts for every one
        }
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        // The suite name comes from the file the scenario belongs to.
        for (const auto& f : files)
            for (const auto& s : f.scenarios)
                if (&s == jobs[i].s)
                    results[i].suite = f.suite_name;
    }
    run.scenarios = std::move(results);
    run.interrupted = options.base.stop && options.base.stop->fired();
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return run;
}

}  // namespace harness::runner
