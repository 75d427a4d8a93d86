// The campaign loop, failure attribution and minimization: see campaign.hpp.
#include "harness/netfuzz/campaign.hpp"

#include <fmt/format.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>
#include <deque>
#include <memory>
#include <set>
#include <span>
#include <utility>

#include "harness/netfuzz/answer_timeout.hpp"
#include "harness/netfuzz/broker_target.hpp"
#include "harness/netfuzz/case_executor.hpp"
#include "harness/netfuzz/minimize.hpp"
#include "harness/netfuzz/mutator.hpp"
#include "harness/netfuzz/retained_sweeper.hpp"
#include "harness/netfuzz/session_sweeper.hpp"
#include "harness/netfuzz/shape_set.hpp"

namespace harness::netfuzz {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

constexpr std::size_t recent_cases = 48;
constexpr milliseconds sweep_limit{5'000};  // for each of the two sweeps

struct campaign {
    campaign_options o;
    campaign_events events;
    broker_target target;
    campaign_stats stats;
    steady_clock::time_point started = steady_clock::now();
    steady_clock::time_point ends = started + o.duration;

    netfuzz::corpus corpus{o.corpus};
    shape_set shapes{o.max_shapes};
    client_id_pool client_ids;  // used since the last session sweep
    // Cases are shared, not copied, between the worker, the suspects and the recent list.
    std::deque<std::shared_ptr<const fuzz_case>> recent;
    std::vector<std::shared_ptr<const fuzz_case>> in_flight;
    std::optional<trouble> stopped_by;
    std::set<std::string> signatures;
    std::vector<reported_finding> findings;
    answer_timeout_tuner answer_wait{o.answer_timeout};
    std::uint64_t rss_baseline = 0;
    std::uint64_t baseline_after = 0;  // sessions after which the baseline is taken
    // The sweeps run between cases: while `pausing`, workers wait on `resumed` before their
    // next case, and the sweep waits on `drained` until no case is being played (`playing`).
    steady_clock::time_point last_retained_sweep = started, last_session_sweep = started;
    bool pausing = false;
    int playing = 0;
    std::shared_ptr<asio::steady_timer> drained, resumed;

    campaign(campaign_options options, campaign_events ev, asio::any_io_executor ex)
        : o(std::move(options)), events(std::move(ev)), target(ex, o) {}

    bool out_of_budget() const {
        return (o.stop && *o.stop) || steady_clock::now() >= ends ||
               (o.max_sessions && stats.sessions >= o.max_sessions) ||
               (o.max_findings && findings.size() >= o.max_findings);
    }

    void note(const std::string& text) {
        if (events.note)
            events.note(text);
    }

    fuzz_case next_case(fuzz_random& random, const generator_options& g) {
        if (corpus.empty() || random.chance(25)) {
            auto c = generate_session(random, g);
            if (random.chance(30))
                mutate(c, random, corpus.cases());
            return c;
        }
        auto c = corpus[random.below(corpus.size())];
        mutate(c, random, corpus.cases());
        return c;
    }

    void keep(const std::shared_ptr<const fuzz_case>& c, const execution_result& r,
              fuzz_random& random) {
        if (shapes.insert(r.shape))
            corpus.add(*c, random);
        recent.push_back(c);
        if (recent.size() > recent_cases)
            recent.pop_front();
    }

    asio::awaitable<void> worker(unsigned index, std::shared_ptr<int> running,
                                 std::shared_ptr<asio::steady_timer> wake) {
        fuzz_random random(o.seed * 7919 + index);
        auto g = o.generator;
        g.prefix = fmt::format("{}{}", o.generator.prefix, index);
        while (!stopped_by && !out_of_budget()) {
            if (pausing) {
                // Not expires_at() here: it would cancel the other workers' waits.
                co_await resumed->async_wait(asio::as_tuple(asio::use_awaitable));
                continue;
            }
            ++playing;
            const auto shared = std::make_shared<const fuzz_case>(next_case(random, g));
            const fuzz_case& c = *shared;
            in_flight[index] = shared;
            const auto case_started = steady_clock::now();
            auto r = co_await execute_case(c, target.exec);
            if (o.session_sweep.count() > 0) {
                client_ids.add(c);
                for (auto& id : r.assigned_client_ids)
                    client_ids.add(std::move(id));
            }
            if (--playing == 0 && pausing)
                drained->cancel();
            ++stats.cases;
            stats.sessions += r.sessions;
            stats.stalled += r.stalled;
            adapt_answer_timeout(r);
            if (std::getenv("HARNESS_FUZZ_TRACE"))
                fmt::print(
                    stderr, "{} {:.1f}ms {} steps {} conns {}\n", r.stalled ? "STALL" : "ok",
                    std::chrono::duration<double, std::milli>(steady_clock::now() - case_started)
                        .count(),
                    c.steps.size(), c.connections().size(), r.shape);
            // While something is wrong the case stays in flight: a suspect.
            if (stopped_by)
                break;
            auto t = co_await target.judge(r);
            if (t) {
                if (!stopped_by)
                    stopped_by = std::move(*t);
                break;
            }
            in_flight[index].reset();
            keep(shared, r, random);
        }
        if (--*running == 0)
            wake->cancel();
    }

    bool retained_sweep_due() const {
        return o.retained_sweep.count() > 0 &&
               steady_clock::now() - last_retained_sweep >= o.retained_sweep;
    }
    bool session_sweep_due() const {
        return o.session_sweep.count() > 0 &&
               steady_clock::now() - last_session_sweep >= o.session_sweep;
    }

    /// The session sweep and/or the retained sweep, now, in that order: a session that ends
    /// publishes its will (perhaps retained), which the retained sweep then deletes.
    asio::awaitable<void> run_sweeps(bool retained, bool sessions) {
        const bool trace = std::getenv("HARNESS_FUZZ_TRACE") != nullptr;
        if (sessions) {
            const auto ids = client_ids.take();
            const auto r = co_await sweep_sessions(target.exec, ids, sweep_limit);
            stats.client_ids_swept += r.swept;
            // The ids not reached in time wait for the next sweep.
            for (std::size_t i = r.tried; i < ids.size(); ++i)
                client_ids.add(ids[i]);
            if (trace)
                fmt::print(stderr, "SWEEP {} of {} client ids reconnected clean ({} dropped){}{}\n",
                           r.swept, ids.size(), client_ids.dropped(), r.problem.empty() ? "" : ": ",
                           r.problem);
        }
        if (retained) {
            const auto r = co_await sweep_retained(target.exec, sweep_limit);
            stats.retained_cleared += r.cleared;
            if (trace)
                fmt::print(stderr, "SWEEP {} retained deleted{}{}\n", r.cleared,
                           r.problem.empty() ? "" : ": ", r.problem);
        }
    }

    /// Deletes the retained messages and discards the sessions left so far (whichever is due),
    /// between cases: the workers pause before their next case and the cases being played end
    /// first, so that no case meets a sweep (a sweep connecting with a case's client id would
    /// take its connection over). Runs as one more worker of the round, so that the round waits
    /// for it too.
    asio::awaitable<void> sweep(std::shared_ptr<int> running,
                                std::shared_ptr<asio::steady_timer> wake) {
        const bool trace = std::getenv("HARNESS_FUZZ_TRACE") != nullptr;
        const auto paused = steady_clock::now();
        // Both intervals count from the pause, so that sweeps due together stay together.
        const bool retained = retained_sweep_due(), sessions = session_sweep_due();
        while (playing > 0 && !stopped_by) {
            drained->expires_at(steady_clock::time_point::max());
            co_await drained->async_wait(asio::as_tuple(asio::use_awaitable));
        }
        if (!stopped_by && !out_of_budget()) {
            co_await run_sweeps(retained, sessions);
            if (retained)
                last_retained_sweep = paused;
            if (sessions)
                last_session_sweep = paused;
        }
        if (trace)
            fmt::print(
                stderr, "SWEEP the workers paused for {:.0f} ms\n",
                std::chrono::duration<double, std::milli>(steady_clock::now() - paused).count());
        pausing = false;
        resumed->cancel();
        if (--*running == 0)
            wake->cancel();
    }

    /// Runs the workers until the budget is spent or something went wrong.
    asio::awaitable<void> fuzz_round() {
        auto ex = co_await asio::this_coro::executor;
        auto running = std::make_shared<int>(static_cast<int>(o.workers));
        auto wake = std::make_shared<asio::steady_timer>(ex);
        in_flight.assign(o.workers, nullptr);
        drained = std::make_shared<asio::steady_timer>(ex);
        resumed = std::make_shared<asio::steady_timer>(ex);
        pausing = false;
        playing = 0;
        for (unsigned i = 0; i < o.workers; ++i)
            asio::co_spawn(ex, worker(i, running, wake), asio::detached);
        auto last_progress = steady_clock::now();
        while (*running > 0) {
            wake->expires_after(milliseconds(250));
            co_await wake->async_wait(asio::as_tuple(asio::use_awaitable));
            stats.seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
            if (steady_clock::now() - last_progress >= milliseconds(1000)) {
                last_progress = steady_clock::now();
                report_progress();
            }
            check_memory();
            if (!pausing && !stopped_by && !out_of_budget() &&
                (retained_sweep_due() || session_sweep_due())) {
                pausing = true;
                resumed->expires_at(steady_clock::time_point::max());
                ++*running;
                asio::co_spawn(ex, sweep(running, wake), asio::detached);
            }
        }
        // Cases still running when the workers stopped may be to blame too.
        for (auto& c : in_flight)
            if (c)
                recent.push_back(c);
    }

    /// Sizes the wait for barriers on the answers (answer_timeout.hpp).
    void adapt_answer_timeout(const execution_result& r) {
        if (!answer_wait.observe(r.stalled, r.slowest_answer))
            return;
        target.exec.answer_timeout = answer_wait.current();
        if (std::getenv("HARNESS_FUZZ_TRACE"))
            fmt::print(stderr, "ANSWER TIMEOUT {} ms (p95 answer {} µs)\n",
                       answer_wait.current().count(), answer_wait.last_p95().count());
    }

    void check_memory() {
        if (!target.supervised() || stopped_by)
            return;
        const auto rss = target.rss_bytes();
        if (rss == 0)
            return;
        if (rss_baseline == 0) {
            if (stats.cases >= baseline_after)
                rss_baseline = rss;
            return;
        }
        if (rss > rss_baseline + o.rss_growth_bytes)
            stopped_by = trouble{finding_kind::memory,
                                 fmt::format("resident memory grew from {:.1f} MiB to {:.1f} MiB",
                                             rss_baseline / 1048576.0, rss / 1048576.0)};
    }

    void report_progress() {
        stats.shapes = shapes.size();
        stats.corpus = corpus.size();
        stats.corpus_bytes = corpus.bytes();
        stats.findings = findings.size();
        if (events.progress)
            events.progress(stats);
    }

    /// The cases to blame, most likely first: the last ones played.
    std::vector<fuzz_case> suspects() const {
        std::vector<fuzz_case> out;
        for (auto it = recent.rbegin(); it != recent.rend(); ++it)
            if (std::find(out.begin(), out.end(), **it) == out.end())
                out.push_back(**it);
        return out;
    }

    /// Crash or hang: plays all suspects in order on a fresh broker; when that fails, looks for
    /// the shortest prefix that still fails (bisection), and confirms its last case alone.
    asio::awaitable<std::pair<std::optional<fuzz_case>, std::optional<broker_failure>>>
    find_culprit(const std::vector<fuzz_case>& suspects, finding_kind kind) {
        std::pair<std::optional<fuzz_case>, std::optional<broker_failure>> out;
        if (suspects.empty())
            co_return out;
        const std::span<const fuzz_case> all(suspects);
        auto check = co_await target.reproduces_in_order(all, kind);
        if (!check.reproduced)
            co_return out;
        std::size_t lo = 1, hi = suspects.size();  // the prefix of hi cases fails
        while (lo < hi) {
            const auto mid = lo + (hi - lo) / 2;
            check = co_await target.reproduces_in_order(all.first(mid), kind);
            if (check.reproduced)
                hi = mid;
            else
                lo = mid + 1;
        }
        check = co_await target.reproduces(suspects[hi - 1], kind);
        if (check.reproduced) {
            out.first = suspects[hi - 1];
            out.second = check.failure;
        }
        co_return out;
    }

    asio::awaitable<void> handle_trouble() {
        const auto t = *stopped_by;
        note(fmt::format("{}: {}; looking for the case to blame", to_string(t.kind), t.problem));
        auto failure = target.failure();
        if (!target.supervised()) {
            // Nothing to restart: report the last case played as it is and stop.
            finding f;
            f.kind = t.kind;
            f.signature = fmt::format("{} | {}", to_string(t.kind), t.problem);
            if (!recent.empty())
                f.reproducer = *recent.back();
            f.details = t.problem + "\n(an external broker cannot be restarted: not minimized)";
            record(std::move(f));
            ends = steady_clock::now();
            co_return;
        }
        const auto suspect_list = suspects();
        std::optional<fuzz_case> culprit;
        std::optional<broker_failure> culprit_failure;
        if (t.kind == finding_kind::memory) {
            const auto give_up = steady_clock::now() + milliseconds(60'000);
            for (const auto& c : suspect_list) {
                if (steady_clock::now() > give_up)
                    break;
                auto check = co_await target.reproduces(c, t.kind);
                if (check.reproduced) {
                    culprit = c;
                    break;
                }
            }
        } else {
            auto found = co_await find_culprit(suspect_list, t.kind);
            culprit = std::move(found.first);
            culprit_failure = std::move(found.second);
        }
        if (!culprit) {
            ++stats.unconfirmed;
            note(fmt::format("no single case of the last {} reproduced it; going on",
                             suspect_list.size()));
            co_await restart();
            co_return;
        }
        if (culprit_failure)
            failure = culprit_failure;
        finding f;
        f.kind = t.kind;
        f.original_steps = culprit->steps.size();
        f.original_bytes = culprit->byte_count();
        if (t.kind == finding_kind::crash && failure) {
            f.signature = crash_signature(*failure);
            if (signatures.count(f.signature)) {
                ++stats.duplicates;
                co_await restart();
                co_return;
            }
        }
        note(fmt::format("reproduced with a case of {} steps; minimizing", culprit->steps.size()));
        auto test = [this, kind = t.kind](const fuzz_case& c) -> asio::awaitable<bool> {
            auto check = co_await target.reproduces(c, kind);
            co_return check.reproduced;
        };
        auto minimized = co_await minimize(*culprit, test);
        f.reproducer = std::move(minimized.smallest);
        if (t.kind == finding_kind::crash) {
            if (f.signature.empty())
                f.signature = "crash | broker stopped answering";
            f.details = failure ? describe_failure(*failure) : t.problem;
        } else {
            f.signature = fmt::format("{} | {}", to_string(t.kind), step_types(f.reproducer));
            f.details = t.problem;
        }
        if (t.kind == finding_kind::memory) {
            const auto per_round = co_await target.growth_per_round(f.reproducer);
            f.repeat = per_round == 0 ? 1000
                                      : static_cast<int>(std::clamp<std::uint64_t>(
                                            2 * o.rss_growth_bytes / per_round + 1, 2, 2000));
            f.details += fmt::format(
                "\none round of the reproducer grows it by about {} KiB; "
                "repro.yaml plays {} rounds",
                per_round / 1024, f.repeat);
        }
        f.details += fmt::format(
            "\nminimized from {} steps ({} bytes) to {} steps ({} bytes) in "
            "{} replays",
            f.original_steps, f.original_bytes, f.reproducer.steps.size(),
            f.reproducer.byte_count(), minimized.tests);
        if (signatures.count(f.signature))
            ++stats.duplicates;
        else
            record(std::move(f));
        co_await restart();
    }

    asio::awaitable<void> restart() {
        auto error = co_await target.restart();
        ++stats.restarts;
        rss_baseline = 0;
        baseline_after = stats.cases + 500;
        if (!error.empty()) {
            note("cannot restart the broker: " + error);
            ends = steady_clock::now();
        }
    }

    void record(finding f) {
        signatures.insert(f.signature);
        std::error_code ec;
        auto dir = write_reproducer(o.out_dir, f, ec);
        if (ec)
            note(fmt::format("cannot write the reproducer under {}: {}", o.out_dir.string(),
                             ec.message()));
        findings.push_back({std::move(f), dir});
        stats.findings = findings.size();
        if (events.found)
            events.found(findings.back());
    }

    asio::awaitable<campaign_result> run() {
        campaign_result result;
        const auto error = co_await target.start();
        if (!error.empty()) {
            result.error = error;
            co_return result;
        }
        if (events.started)
            events.started(target.exec.url.to_string());
        baseline_after = 500;
        while (!out_of_budget()) {
            stopped_by.reset();
            co_await fuzz_round();
            if (stopped_by)
                co_await handle_trouble();
        }
        // A broker the campaign did not start outlives it: leave it as clean as the sweeps can.
        if (!target.supervised())
            co_await run_sweeps(o.retained_sweep.count() > 0, o.session_sweep.count() > 0);
        stats.seconds = std::chrono::duration<double>(steady_clock::now() - started).count();
        stats.shapes = shapes.size();
        stats.corpus = corpus.size();
        stats.corpus_bytes = corpus.bytes();
        stats.findings = findings.size();
        co_await target.stop();
        result.stats = stats;
        result.findings = std::move(findings);
        co_return result;
    }
};

}  // namespace

asio::awaitable<campaign_result> run_campaign(campaign_options options, campaign_events events) {
    auto ex = co_await asio::this_coro::executor;
    auto c = std::make_unique<campaign>(std::move(options), std::move(events), ex);
    co_return co_await c->run();
}

asio::awaitable<replay_result> replay_case(campaign_options options, fuzz_case c, int repeat) {
    auto ex = co_await asio::this_coro::executor;
    replay_result out;
    broker_target target(ex, options);
    const auto error = co_await target.start();
    if (!error.empty()) {
        out.error = error;
        co_return out;
    }
    const auto before = target.rss_bytes();
    const auto rounds = repeated(c, std::max(1, repeat));
    const auto r = co_await execute_case(rounds, target.exec);
    std::string problem;
    const bool alive = co_await broker_answers(target.exec, options.hang_timeout, problem);
    if (target.supervised()) {
        const auto wait = milliseconds(alive ? 100 : 1'000);
        const auto f = co_await target.wait_failure(wait);
        if (f) {
            out.failed = true;
            out.details = describe_failure(*f);
        } else if (repeat > 1 && target.rss_bytes() > before + options.rss_growth_bytes) {
            out.failed = true;
            out.kind = finding_kind::memory;
            out.details = fmt::format("resident memory grew from {:.1f} MiB to {:.1f} MiB",
                                      before / 1048576.0, target.rss_bytes() / 1048576.0);
        }
    }
    if (!out.failed && !alive) {
        out.failed = true;
        out.kind = r.unreachable || problem.find("refused") != std::string::npos
                       ? finding_kind::crash
                       : finding_kind::hang;
        out.details = problem;
    }
    if (!out.failed)
        out.details = fmt::format("the broker survived ({})", r.shape.substr(0, 200));
    co_await target.stop();
    co_return out;
}

#pragma GCC diagnostic pop

}  // namespace harness::netfuzz
