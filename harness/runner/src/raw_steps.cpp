// Raw-packet steps: what was sent and what came back go to the trace, and a failure says what
// was wanted, what arrived instead and whether the broker closed the connection.
#include "raw_steps.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>

#include "harness/packet_json/packet_from_json.hpp"
#include "raw_clients.hpp"

namespace harness::runner {

namespace json = boost::json;

namespace {

std::optional<std::int64_t> as_integer(const json::value& v) {
    if (v.is_int64())
        return v.as_int64();
    if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.as_uint64());
    if (v.is_bool())
        return v.as_bool() ? 1 : 0;
    return std::nullopt;
}

bool is_operator(const json::value& v, std::string_view name) {
    return v.is_object() && v.as_object().size() == 1 && v.as_object().contains(name);
}

bool value_matches(const json::value& want, const json::value& got, bool type_field,
                   const std::string& path, std::string& why) {
    if (is_operator(want, "one_of") && want.at("one_of").is_array()) {
        for (const auto& option : want.at("one_of").as_array()) {
            std::string ignored;
            if (value_matches(option, got, type_field, path, ignored))
                return true;
        }
        why = fmt::format("{} is {}, not one of {}", path, json::serialize(got),
                          json::serialize(want.at("one_of")));
        return false;
    }
    if (want.is_object()) {
        if (!got.is_object()) {
            why = fmt::format("{} is {}, not a map", path, json::serialize(got));
            return false;
        }
        for (const auto& entry : want.as_object()) {
            const std::string sub =
                path.empty() ? std::string(entry.key()) : path + "." + std::string(entry.key());
            const json::value* have = got.as_object().if_contains(entry.key());
            if (is_operator(entry.value(), "absent")) {
                const json::value& absent = entry.value().at("absent");
                if (absent.is_bool() && !absent.as_bool()) {  // {absent: false}: present
                    if (have == nullptr) {
                        why = fmt::format("{} is missing", sub);
                        return false;
                    }
                    continue;
                }
                if (have != nullptr) {
                    why = fmt::format("{} is present ({})", sub, json::serialize(*have));
                    return false;
                }
                continue;
            }
            if (have == nullptr) {
                why = fmt::format("{} is missing", sub);
                return false;
            }
            if (!value_matches(entry.value(), *have, entry.key() == "type", sub, why))
                return false;
        }
        return true;
    }
    if (want.is_array()) {
        if (!got.is_array() || got.as_array().size() != want.as_array().size()) {
            why = fmt::format("{} is {}, expected {}", path, json::serialize(got),
                              json::serialize(want));
            return false;
        }
        for (std::size_t i = 0; i < want.as_array().size(); ++i) {
            if (!value_matches(want.as_array()[i], got.as_array()[i], false,
                               fmt::format("{}[{}]", path, i), why))
                return false;
        }
        return true;
    }
    bool equal = false;
    if (want.is_string() && got.is_string()) {
        equal = want.as_string() == got.as_string();
        if (!equal && type_field) {  // packet type names in any case
            const auto w = packet_json::packet_type_from_name(want.as_string());
            equal = w && w == packet_json::packet_type_from_name(got.as_string());
        }
    } else if (const auto w = as_integer(want), g = as_integer(got); w && g && !want.is_bool()) {
        equal = *w == *g;
    } else {
        equal = want == got;
    }
    if (!equal)
        why =
            fmt::format("{} is {}, expected {}", path, json::serialize(got), json::serialize(want));
    return equal;
}

/// The value at a field path ("packet_id", "properties.topic_alias", "reason_codes[0]").
const json::value* field_at(const json::object& packet, std::string_view path) {
    const json::value* at = nullptr;
    const json::object* object = &packet;
    while (!path.empty()) {
        const auto end = path.find_first_of(".[");
        const std::string_view key = path.substr(0, end);
        path = end == std::string_view::npos ? std::string_view() : path.substr(end);
        if (!key.empty()) {
            if (object == nullptr || (at = object->if_contains(key)) == nullptr)
                return nullptr;
        }
        while (path.starts_with('[')) {
            const auto close = path.find(']');
            if (close == std::string_view::npos || at == nullptr || !at->is_array())
                return nullptr;
            const std::size_t index =
                std::strtoul(std::string(path.substr(1, close - 1)).c_str(), nullptr, 10);
            if (index >= at->as_array().size())
                return nullptr;
            at = &at->as_array()[index];
            path.remove_prefix(close + 1);
        }
        if (path.starts_with('.'))
            path.remove_prefix(1);
        object = at != nullptr && at->is_object() ? &at->as_object() : nullptr;
    }
    return at;
}

/// The packet a step wants, its templates expanded; nullopt after a failed expansion.
std::optional<json::object> expanded(scenario_context& ctx, const raw_actor& a,
                                     const json::object& packet, const scenario::position& where) {
    json::value value = packet;
    const std::string client_id = a.client_id;
    auto resolve = ctx.resolver([client_id](std::string_view name) -> std::optional<std::string> {
        if (name == "client_id")
            return client_id;
        return std::nullopt;
    });
    if (!expand_strings(ctx, value, where, resolve))
        return std::nullopt;
    return std::move(value.as_object());
}

std::string describe_want(const json::object& want) {
    return json::serialize(want);
}

/// What the client has received and not matched, one line each, for failures.
std::string unmatched(const raw_actor& a) {
    std::string out;
    for (const auto& r : a.inbox) {
        if (!r.taken)
            out += (out.empty() ? "" : "; ") + r.text;
    }
    return out.empty() ? "nothing" : out;
}

std::string close_note(const scenario_context& ctx, const raw_actor& a) {
    if (a.open)
        return "";
    if (a.closed_at)
        return fmt::format("; the broker closed the connection at +{:.3f}s",
                           ctx.since_start(*a.closed_at));
    return "; the connection is closed";
}

std::optional<std::vector<int>> disconnect_reasons(const raw_actor& a) {
    std::vector<int> reasons;
    for (const auto& r : a.inbox) {
        if (r.packet && std::holds_alternative<codec::disconnect>(*r.packet))
            reasons.push_back(static_cast<int>(std::get<codec::disconnect>(*r.packet).reason_code));
    }
    if (reasons.empty())
        return std::nullopt;
    return reasons;
}

std::string hex_list(const std::vector<int>& codes) {
    std::string out;
    for (int c : codes)
        out += fmt::format("{}0x{:02x}", out.empty() ? "" : ", ", c);
    return out;
}

// GCC 12 at -O1 warns -Wmismatched-new-delete on coroutine frames (Asio's allocator); false.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

asio::awaitable<std::string> do_send(scenario_context& ctx, raw_actor& a,
                                     const scenario::send_step& s,
                                     const scenario::position& where) {
    std::string trace_text;
    auto bytes = raw_send_bytes(ctx, a, s, where, trace_text);
    if (!bytes)
        co_return fmt::format("cannot send on {}: {}", a.name, bytes.error());
    if (!a.open) {
        // Sending on a connection the broker closed is what some checks provoke; what matters
        // is what the next steps see.
        ctx.trace(a.name, trace_text + " (not sent: the connection is closed)");
        co_return "";
    }
    ctx.trace(a.name, trace_text);
    std::error_code ec;
    const auto data = std::span<const std::uint8_t>(bytes->data(), bytes->size());
    co_await transport::write_for(*a.stream, data, ec, ctx.options.timeout);
    if (ec)
        ctx.trace(a.name, "send failed: " + ec.message());
    co_return "";
}

asio::awaitable<std::string> do_expect_packet(scenario_context& ctx, raw_actor& a,
                                              const scenario::expect_packet_step& s,
                                              const scenario::position& where) {
    const auto within = s.within.value_or(ctx.options.timeout);
    const auto want = expanded(ctx, a, s.packet, where);
    if (!want)
        co_return "";
    const raw_received* matched = nullptr;
    std::string why;
    std::string first_problem;
    bool found = false;
    bool out_of_order = false;
    auto check = [&] {
        for (auto& r : a.inbox) {
            if (r.taken)
                continue;
            std::string mismatch;
            if (packet_matches(*want, r.json, mismatch)) {
                r.taken = true;
                found = true;
                matched = &r;
                return true;
            }
            if (first_problem.empty())
                first_problem = r.packet ? r.text + ": " + mismatch : r.text;
            if (s.next) {
                out_of_order = true;
                return true;
            }
        }
        return !a.open && !a.reading;
    };
    co_await ctx.wait_until(check, clock::now() + within);
    if (found) {
        for (const auto& [name, path] : s.save) {
            const json::value* value = field_at(matched->json, path);
            if (value == nullptr)
                co_return fmt::format("{}: the matched {} has no field {} to save as {}", a.name,
                                      matched->text, path, name);
            ctx.saved[name] = *value;
        }
        co_return "";
    }
    if (ctx.aborted)
        co_return "";
    co_return fmt::format("{}: expected {} within {} ms{}; received {}{}", a.name,
                          describe_want(*want), within.count(),
                          out_of_order ? " as the next packet" : "",
                          first_problem.empty() ? unmatched(a) : first_problem, close_note(ctx, a));
}

asio::awaitable<std::string> do_expect_no_packet(scenario_context& ctx, raw_actor& a,
                                                 const scenario::expect_no_packet_step& s,
                                                 const scenario::position& where) {
    std::optional<json::object> want;
    if (s.packet) {
        want = expanded(ctx, a, *s.packet, where);
        if (!want)
            co_return "";
    }
    const raw_received* offender = nullptr;
    auto check = [&] {
        for (auto& r : a.inbox) {
            if (r.taken)
                continue;
            std::string mismatch;
            if (!want || packet_matches(*want, r.json, mismatch)) {
                offender = &r;
                return true;
            }
        }
        return !a.reading;  // closed: nothing more can arrive
    };
    co_await ctx.wait_until(check, clock::now() + s.duration);
    if (offender == nullptr || ctx.aborted)
        co_return "";
    co_return fmt::format("{}: expected no {} for {} ms, received {}", a.name,
                          want ? describe_want(*want) : std::string("packet"), s.duration.count(),
                          offender->text);
}

asio::awaitable<std::string> do_expect_closed(scenario_context& ctx, raw_actor& a,
                                              const scenario::expect_closed_step& s) {
    const auto within = s.within.value_or(ctx.options.timeout);
    co_await ctx.wait_until([&] { return !a.reading; }, clock::now() + within);
    if (ctx.aborted)
        co_return "";
    if (a.reading)
        co_return fmt::format(
            "{}: expected the broker to close the connection within {} ms; it "
            "is still open; received {}",
            a.name, within.count(), unmatched(a));
    if (s.reasons) {
        if (const auto got = disconnect_reasons(a)) {
            for (int code : *got) {
                if (std::find(s.reasons->begin(), s.reasons->end(), code) == s.reasons->end())
                    co_return fmt::format(
                        "{}: the broker closed the connection after a DISCONNECT with reason "
                        "0x{:02x}, expected one of {}",
                        a.name, code, hex_list(*s.reasons));
            }
        }
    }
    co_return "";
}

#pragma GCC diagnostic pop

}  // namespace

bool packet_matches(const json::object& want, const json::object& got, std::string& why) {
    return value_matches(want, got, false, "", why);
}

// GCC 12 at -O1 warns -Wmismatched-new-delete on coroutine frames (Asio's allocator); false.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<std::optional<failure>> run_raw_step(scenario_context& ctx,
                                                     const scenario::step& st, std::size_t index,
                                                     raw_actor& a) {
    std::string problem;
    if (std::holds_alternative<scenario::connect_step>(st.body)) {
        if (auto err = co_await open_raw_client(ctx, a))
            problem = *err;
    } else if (const auto* d = std::get_if<scenario::disconnect_step>(&st.body)) {
        co_await close_raw_client(ctx, a, d->abrupt);
    } else if (const auto* s = std::get_if<scenario::send_step>(&st.body)) {
        problem = co_await do_send(ctx, a, *s, st.where);
    } else if (const auto* e = std::get_if<scenario::expect_packet_step>(&st.body)) {
        problem = co_await do_expect_packet(ctx, a, *e, st.where);
    } else if (const auto* n = std::get_if<scenario::expect_no_packet_step>(&st.body)) {
        problem = co_await do_expect_no_packet(ctx, a, *n, st.where);
    } else if (const auto* c = std::get_if<scenario::expect_closed_step>(&st.body)) {
        problem = co_await do_expect_closed(ctx, a, *c);
    } else {
        problem = fmt::format("`{}` does not apply to the raw client {}",
                              scenario::step_kind(st.body), a.name);
    }
    if (problem.empty() || ctx.aborted)
        co_return std::nullopt;
    co_return step_failure(st, index, problem);
}
#pragma GCC diagnostic pop

}  // namespace harness::runner
