// Running one case against a broker: see case_executor.hpp.
#include "harness/netfuzz/case_executor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <memory>
#include <optional>
#include <variant>

#include "harness/codec/codec.hpp"
#include "harness/codec/framing.hpp"
#include "harness/transport/error.hpp"
#include "wire.hpp"

namespace harness::netfuzz {

namespace asio = boost::asio;

// GCC 12 warns -Wmismatched-new-delete on coroutine frames (Asio's allocator); false.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

constexpr std::array<std::uint8_t, 2> pingreq_bytes = {0xC0, 0x00};

struct connection {
    wire link;
    codec::frame_reader reader{64 * 1024 * 1024};
    codec::protocol_version version = codec::protocol_version::v5;
    bool open = false;
    bool stalled = false;
    bool timed_out = false;  // a watchdog aborted it
    int pings = 0;           // PINGREQs sent whose PINGRESP has not arrived
    std::chrono::steady_clock::duration slowest_answer{};  // of its barriers that were answered
    std::vector<std::uint8_t> pending;  // steps not yet written: sent together at the barrier
    int pending_pings = 0;              // PINGREQ steps among them
    std::vector<std::string> tokens;
    std::vector<std::string> assigned_ids;  // client ids a 5.0 CONNACK assigned

    void token(std::string t) {
        if (!tokens.empty() && (tokens.back() == t || tokens.back() == t + "*")) {
            if (tokens.back() == t)
                tokens.back() += '*';
            return;
        }
        tokens.push_back(std::move(t));
    }
};

/// The client id a 5.0 CONNACK assigned (to a CONNECT with an empty one), for the session sweep.
void note_assigned_id(const codec::frame& f, connection& c) {
    auto decoded = codec::decode_body(f, codec::protocol_version::v5);
    const auto* ack = decoded ? std::get_if<codec::connack>(&*decoded) : nullptr;
    if (!ack)
        return;
    if (const auto* id = ack->properties.string(codec::property_id::assigned_client_identifier))
        c.assigned_ids.push_back(*id);
}

std::string token_of(const codec::frame& f, codec::protocol_version version) {
    auto decoded = codec::decode_body(f, version);
    if (!decoded)
        return fmt::format("{}/malformed", codec::to_string(f.type()));
    return std::visit(
        [&](const auto& p) -> std::string {
            using T = std::decay_t<decltype(p)>;
            const auto type = codec::to_string(f.type());
            if constexpr (std::is_same_v<T, codec::publish>)
                return fmt::format("{}/q{}", type, static_cast<int>(p.qos));
            else if constexpr (std::is_same_v<T, codec::suback>) {
                std::string codes;
                for (auto r : p.reason_codes)
                    codes += fmt::format("{}{:x}", codes.empty() ? "" : ",", static_cast<int>(r));
                return fmt::format("{}/{}", type, codes);
            } else if constexpr (std::is_same_v<T, codec::unsuback>) {
                std::string codes;
                for (auto r : p.reason_codes)
                    codes += fmt::format("{}{:x}", codes.empty() ? "" : ",", static_cast<int>(r));
                return fmt::format("{}/{}", type, codes);
            } else if constexpr (requires { p.reason_code; })
                return fmt::format("{}/{:x}", type, static_cast<int>(p.reason_code));
            else
                return std::string(type);
        },
        *decoded);
}

using deadline_t = std::chrono::steady_clock::time_point;

/// One timer for many waits: when it fires, the streams of the connections still registered
/// are aborted, so whatever they wait for ends at once. Cheaper than a timer per operation, and
/// the only way to bound a plain write. Shared with its handler, which may run after the wait.
struct watchdog {
    explicit watchdog(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    std::array<connection*, max_connections> watched{};
    bool fired = false;

    static std::shared_ptr<watchdog> start(const asio::any_io_executor& ex, deadline_t deadline) {
        auto w = std::make_shared<watchdog>(ex);
        w->timer.expires_at(deadline);
        w->timer.async_wait([w](const boost::system::error_code& ec) {
            if (ec)
                return;
            w->fired = true;
            for (auto* c : w->watched)
                if (c && c->link) {
                    c->timed_out = true;
                    c->link.abort();
                }
        });
        return w;
    }
    void stop() {
        watched.fill(nullptr);
        timer.cancel();
    }
};

/// Writes the steps queued since the last barrier and the barrier's PINGREQ in one write
/// (bounded by the case's watchdog). One write per barrier instead of one per step halves the
/// system calls on both sides; the broker still gets the same bytes in the same order.
asio::awaitable<void> send_barrier(connection& c) {
    if (!c.open || c.stalled) {
        c.pending.clear();
        c.pending_pings = 0;
        co_return;
    }
    c.pending.insert(c.pending.end(), pingreq_bytes.begin(), pingreq_bytes.end());
    std::error_code ec;
    co_await c.link.write(c.pending, ec);
    c.pending.clear();
    const int sent_pings = c.pending_pings + 1;
    c.pending_pings = 0;
    if (ec) {
        c.open = false;
        c.stalled = c.timed_out;
        c.token(c.stalled ? "write-stalled" : "closed");
        co_return;
    }
    c.pings += sent_pings;
}

/// Reads until every PINGREQ sent got its PINGRESP or the connection ends (or the watchdog
/// aborts it: stalled).
asio::awaitable<void> read_pongs(connection& c, std::span<std::uint8_t> buf) {
    while (c.open && !c.stalled && c.pings > 0) {
        std::error_code ec;
        const auto n = co_await c.link.read_some(buf, ec);
        if (ec) {
            c.stalled = c.timed_out;
            c.token(c.stalled ? "stalled" : "closed");
            c.open = false;
            co_return;
        }
        c.reader.feed(std::span<const std::uint8_t>(buf.data(), n));
        for (;;) {
            auto f = c.reader.next();
            if (!f) {
                c.token("garbage");
                c.open = false;
                co_return;
            }
            if (!*f)
                break;
            const auto& frame = **f;
            if (frame.type() == codec::packet_type::pingresp && c.pings > 0)
                --c.pings;
            else
                c.token(token_of(frame, c.version));
            if (frame.type() == codec::packet_type::connack &&
                c.version == codec::protocol_version::v5)
                note_assigned_id(frame, c);
        }
    }
}

/// Barriers on the given connections under one deadline.
asio::awaitable<void> barriers(std::span<connection* const> list, deadline_t deadline,
                               std::span<std::uint8_t> buf) {
    for (auto* c : list)
        if (c)
            co_await send_barrier(*c);
    const auto sent = std::chrono::steady_clock::now();
    auto w = watchdog::start(co_await asio::this_coro::executor, deadline);
    for (std::size_t i = 0; i < list.size() && i < max_connections; ++i)
        w->watched[i] = list[i];
    for (std::size_t i = 0; i < list.size() && i < max_connections; ++i) {
        if (auto* c = list[i]) {
            const bool waits = c->open && !c->stalled && c->pings > 0;
            co_await read_pongs(*c, buf);
            // Answered (its PINGRESP, or the broker closed it) before the deadline.
            if (waits && !c->stalled)
                c->slowest_answer =
                    std::max(c->slowest_answer, std::chrono::steady_clock::now() - sent);
        }
        w->watched[i] = nullptr;
    }
    w->stop();
}

/// The connection's tokens, sorted and without repeats: what it saw, not how often or in which
/// order (orders vary with timing; the corpus should grow with behaviours, not interleavings).
std::string summary_of(const connection& c) {
    auto tokens = c.tokens;
    for (auto& t : tokens)
        if (!t.empty() && t.back() == '*')
            t.pop_back();
    std::sort(tokens.begin(), tokens.end());
    tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
    std::string out;
    for (const auto& t : tokens)
        out += (out.empty() ? "" : " ") + t;
    return out;
}

codec::protocol_version version_of(const fuzz_step& s) {
    if (s.packet)
        if (const auto* con = std::get_if<codec::connect>(&*s.packet))
            return con->version;
    // A CONNECT changed at byte level: its protocol level byte, when it is where it should be.
    if (s.bytes.size() > 10 && (s.bytes[0] >> 4) == 1) {
        const auto level = s.bytes[s.bytes[3] == 4 ? 8 : 10];
        if (level >= 3 && level <= 5)
            return static_cast<codec::protocol_version>(level);
    }
    return codec::protocol_version::v5;
}

}  // namespace

asio::awaitable<execution_result> execute_case(const fuzz_case& c,
                                               const execution_options& options) {
    execution_result result;
    std::array<connection, max_connections> conns;
    std::vector<std::uint8_t> buf(16 * 1024);  // for reads; one per case, not per barrier
    const wire_target target(options.url, options.tls, options.connect_timeout);
    const auto ex = co_await asio::this_coro::executor;
    // Writes have no timer of their own: a broker that stops reading is caught by this one.
    const auto case_limit = options.connect_timeout + options.answer_timeout * (c.steps.size() + 4);
    auto writes = watchdog::start(ex, std::chrono::steady_clock::now() + case_limit);
    auto barrier_on = [&](connection& one) -> asio::awaitable<void> {
        std::array<connection*, 1> list{&one};
        co_await barriers(list, std::chrono::steady_clock::now() + options.answer_timeout, buf);
    };
    std::optional<std::uint8_t> last;
    for (const auto& step : c.steps) {
        if (step.connection >= max_connections)
            continue;
        auto& conn = conns[step.connection];
        if (last && *last != step.connection)
            co_await barrier_on(conns[*last]);
        last = step.connection;
        if (step.reconnect && conn.link) {
            co_await barrier_on(conn);
            writes->watched[step.connection] = nullptr;
            conn.link.reset();
            conn.token("|reconnect|");
        }
        if (!conn.link) {
            // Watched while it connects too: a broker that stops accepting is caught.
            writes->watched[step.connection] = &conn;
            const bool opened = co_await conn.link.open(target, result.problem);
            if (!opened) {
                writes->watched[step.connection] = nullptr;
                result.unreachable = true;
                break;
            }
            ++result.sessions;
            conn.reader = codec::frame_reader(64 * 1024 * 1024);
            conn.open = true;
            conn.stalled = conn.timed_out = false;
            conn.pings = 0;
        }
        if ((step.bytes.empty() ? 0 : step.bytes[0] >> 4) == 1)
            conn.version = version_of(step);
        if (!conn.open || step.bytes.empty())
            continue;
        conn.pending.insert(conn.pending.end(), step.bytes.begin(), step.bytes.end());
        if (step.bytes.size() == 2 && step.bytes[0] == 0xC0 && step.bytes[1] == 0)
            ++conn.pending_pings;
    }
    // The final barrier on every connection at once, under one deadline.
    std::array<connection*, max_connections> all{};
    for (std::size_t i = 0; i < conns.size(); ++i)
        all[i] = &conns[i];
    co_await barriers(all, std::chrono::steady_clock::now() + options.answer_timeout, buf);
    writes->stop();
    std::vector<std::string> summaries;
    for (auto& conn : conns) {
        conn.link.abort();
        if (conn.stalled)
            result.stalled = true;
        result.slowest_answer =
            std::max(result.slowest_answer,
                     std::chrono::duration_cast<std::chrono::microseconds>(conn.slowest_answer));
        if (!conn.tokens.empty() || conn.link)
            summaries.push_back(summary_of(conn));
        for (auto& id : conn.assigned_ids)
            result.assigned_client_ids.push_back(std::move(id));
    }
    std::sort(summaries.begin(), summaries.end());
    for (const auto& one : summaries)
        result.shape += (result.shape.empty() ? "[" : " | [") + one + "]";
    if (result.stalled && result.problem.empty())
        result.problem =
            fmt::format("no answer to a PINGREQ within {} ms", options.answer_timeout.count());
    co_return result;
}

asio::awaitable<bool> broker_answers(const execution_options& options,
                                     std::chrono::milliseconds within, std::string& problem) {
    auto connected = co_await transport::connect(options.url, options.tls, within);
    if (!connected.s) {
        problem = connected.message;
        co_return false;
    }
    auto& s = *connected.s;
    codec::connect hello;
    hello.version = codec::protocol_version::v3_1_1;
    hello.client_id = "fuzz-alive";
    const auto bytes = codec::encode(hello, hello.version);
    std::error_code ec;
    co_await transport::write_for(s, bytes, ec, within);
    codec::frame_reader reader;
    std::array<std::uint8_t, 1024> buf;
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (!ec) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            break;
        const auto n = co_await transport::read_some_for(s, buf, ec, left);
        if (ec)
            break;
        reader.feed(std::span<const std::uint8_t>(buf.data(), n));
        auto f = reader.next();
        if (f && *f && (**f).type() == codec::packet_type::connack) {
            s.abort();
            co_return true;
        }
    }
    s.abort();
    problem = ec && ec != transport::transport_errc::timeout
                  ? fmt::format("a fresh client's CONNECT got no CONNACK: {}", ec.message())
                  : fmt::format("a fresh client got no CONNACK within {} ms", within.count());
    co_return false;
}

#pragma GCC diagnostic pop

}  // namespace harness::netfuzz
