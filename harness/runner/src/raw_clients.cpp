// Raw clients: connection, the reader that decodes what the broker sends, and the bytes of
// send steps (structured packets with templates and the run's topic prefix, or hex with
// placeholders).
#include "raw_clients.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>

#include "harness/codec/codec.hpp"
#include "harness/codec/framing.hpp"
#include "harness/packet_json/packet_from_json.hpp"
#include "harness/packet_json/packet_json.hpp"
#include "harness/transport/connect.hpp"
#include "packet_text.hpp"

namespace harness::runner {

namespace json = boost::json;

namespace {

/// Received topics as the scenario wrote them: without the run's prefix when they have it.
void unprefix_topics(const scenario_context& ctx, json::object& packet) {
    if (auto* topic = packet.if_contains("topic"); topic != nullptr && topic->is_string()) {
        if (auto local = ctx.from_wire_topic(std::string(topic->as_string())))
            *topic = json::string(*local);
    }
}

raw_received received_packet(const scenario_context& ctx, const raw_actor& a, codec::packet p) {
    raw_received r;
    r.json = packet_json::to_json(p, a.version);
    unprefix_topics(ctx, r.json);
    if (const auto* publish = std::get_if<codec::publish>(&p))
        r.json["payload"] = json::string(std::string_view(
            reinterpret_cast<const char*>(publish->payload.data()), publish->payload.size()));
    r.text = packet_text(p);
    r.packet = std::move(p);
    r.at = clock::now();
    return r;
}

raw_received malformed_packet(const codec::decode_error& error) {
    raw_received r;
    r.json = packet_json::to_json(error);
    r.json["type"] = "malformed";
    r.text = fmt::format("malformed packet: {}",
                         error.message.empty() ? error.code.message() : error.message);
    r.at = clock::now();
    return r;
}

// GCC 12 at -O1 warns -Wmismatched-new-delete on coroutine frames (Asio's allocator); false.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<void> read_loop(scenario_context& ctx, raw_actor& a) {
    std::vector<std::uint8_t> buffer(64 * 1024);
    codec::frame_reader frames;
    frames.set_protocol(a.version);
    bool framing_failed = false;
    for (;;) {
        std::error_code ec;
        const std::size_t n = co_await a.stream->read_some(buffer, ec);
        if (ec) {
            if (!a.closed_by_us) {
                a.closed_at = clock::now();
                a.close_cause = a.stream->last_error();
                ctx.trace(a.name, a.close_cause.empty()
                                      ? std::string("connection closed by the broker")
                                      : "connection closed: " + a.close_cause);
            }
            break;
        }
        if (framing_failed)
            continue;  // nothing more can be framed; keep reading to see the close
        frames.feed(std::span<const std::uint8_t>(buffer.data(), n));
        for (;;) {
            auto next = frames.next();
            if (!next) {
                framing_failed = true;
                a.inbox.push_back(malformed_packet(next.error()));
                ctx.trace(a.name, "<- " + a.inbox.back().text);
                break;
            }
            if (!*next)
                break;
            auto decoded = codec::decode_body(**next, a.version);
            if (!decoded) {
                a.inbox.push_back(malformed_packet(decoded.error()));
            } else {
                a.inbox.push_back(received_packet(ctx, a, std::move(*decoded)));
            }
            ctx.trace(a.name, "<- " + a.inbox.back().text);
        }
        ctx.notify();
    }
    a.open = false;
    a.reading = false;
    a.reader_done->cancel();
    ctx.notify();
}
#pragma GCC diagnostic pop

asio::awaitable<void> wait_reader(scenario_context& ctx, raw_actor& a) {
    if (!a.reading)
        co_return;
    a.reader_done->expires_after(std::chrono::seconds(2));
    co_await a.reader_done->async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ctx;
}

void put_vbi(std::vector<std::uint8_t>& out, std::size_t at, std::size_t value) {
    std::vector<std::uint8_t> bytes;
    do {
        std::uint8_t b = value % 128;
        value /= 128;
        if (value > 0)
            b |= 0x80;
        bytes.push_back(b);
    } while (value > 0);
    out.insert(out.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin(), bytes.end());
}

void put_string(std::vector<std::uint8_t>& out, std::string_view text) {
    out.push_back(static_cast<std::uint8_t>((text.size() >> 8) & 0xFF));
    out.push_back(static_cast<std::uint8_t>(text.size() & 0xFF));
    out.insert(out.end(), text.begin(), text.end());
}

codec::expected<std::vector<std::uint8_t>, std::string> hex_bytes(scenario_context& ctx,
                                                                  const raw_actor& a,
                                                                  const std::string& text) {
    std::vector<std::uint8_t> out;
    std::optional<std::size_t> length_at;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t open = std::min(text.find("{{", i), text.size());
        // The digits up to the next placeholder.
        const auto digits = packet_json::from_hex(std::string_view(text).substr(i, open - i));
        if (!digits)
            return codec::unexpected{"expected whole bytes of hex digits in `" +
                                     text.substr(i, open - i) + "`"};
        out.insert(out.end(), digits->begin(), digits->end());
        if (open == text.size())
            break;
        const std::size_t end = text.find("}}", open);
        if (end == std::string::npos)
            return codec::unexpected{std::string("unclosed {{ in hex")};
        const std::string inner = text.substr(open + 2, end - open - 2);
        if (inner == "len")
            length_at = out.size();
        else if (inner == "client_id")
            put_string(out, a.client_id);
        else if (inner.starts_with("topic "))
            put_string(out, ctx.to_wire_topic(inner.substr(6)));
        else if (inner.starts_with("str "))
            put_string(out, inner.substr(4));
        else
            return codec::unexpected{"unknown placeholder {{" + inner + "}}"};
        i = end + 2;
    }
    if (length_at)
        put_vbi(out, *length_at, out.size() - *length_at);
    return out;
}

}  // namespace

bool expand_strings(scenario_context& ctx, json::value& value, const scenario::position& where,
                    const scenario::template_resolver& resolve) {
    if (value.is_string()) {
        // "{{name}}" alone naming a saved value: the value itself, number or string.
        const std::string_view text = value.as_string();
        if (text.starts_with("{{") && text.ends_with("}}") &&
            text.find("{{", 2) == std::string_view::npos) {
            std::string name(text.substr(2, text.size() - 4));
            name.erase(0, name.find_first_not_of(' '));
            name.erase(name.find_last_not_of(' ') + 1);
            if (auto it = ctx.saved.find(name); it != ctx.saved.end()) {
                value = it->second;
                return true;
            }
        }
        auto expanded = ctx.expand(std::string(value.as_string()), where, resolve);
        if (!expanded)
            return false;
        value = json::string(*expanded);
    } else if (value.is_object()) {
        for (auto& entry : value.as_object()) {
            if (!expand_strings(ctx, entry.value(), where, resolve))
                return false;
        }
    } else if (value.is_array()) {
        for (auto& item : value.as_array()) {
            if (!expand_strings(ctx, item, where, resolve))
                return false;
        }
    }
    return true;
}

namespace {

/// Puts the run's prefix on the topics of a packet to send (not on `$` topics).
void prefix_topics(const scenario_context& ctx, json::object& packet) {
    const auto topic = [&](json::value* v, bool filter) {
        // `$` topics are the broker's own; a shared subscription's filter gets the prefix
        // after its `$share/<group>/` part.
        if (v == nullptr || !v->is_string() ||
            (v->as_string().starts_with("$") && !(filter && v->as_string().starts_with("$share/"))))
            return;
        const std::string text(v->as_string());
        *v = json::string(filter ? ctx.to_wire_filter(text) : ctx.to_wire_topic(text));
    };
    topic(packet.if_contains("topic"), false);
    if (auto* will = packet.if_contains("will"); will != nullptr && will->is_object())
        topic(will->as_object().if_contains("topic"), false);
    if (auto* subs = packet.if_contains("subscriptions"); subs != nullptr && subs->is_array()) {
        for (auto& sub : subs->as_array()) {
            if (sub.is_object())
                topic(sub.as_object().if_contains("topic_filter"), true);
        }
    }
    if (auto* filters = packet.if_contains("topic_filters");
        filters != nullptr && filters->is_array()) {
        for (auto& f : filters->as_array())
            topic(&f, true);
    }
}

}  // namespace

raw_actor& add_raw_client(scenario_context& ctx, const scenario::client_spec& spec) {
    auto actor = std::make_unique<raw_actor>();
    actor->name = spec.name;
    actor->spec = &spec;
    actor->version = static_cast<codec::protocol_version>(spec.version);
    const std::string suffix = fmt::format("{}-{}", ctx.options.run_id, ctx.options.scenario_index);
    actor->client_id = spec.name + "-" + suffix;
    if (spec.client_id) {
        if (auto v = ctx.expand(*spec.client_id, spec.where, ctx.resolver()))
            actor->client_id = *v;
    }
    actor->reader_done = std::make_unique<asio::steady_timer>(ctx.io);
    auto& ref = *actor;
    ctx.raw_clients[spec.name] = std::move(actor);
    return ref;
}

asio::awaitable<std::optional<std::string>> open_raw_client(scenario_context& ctx, raw_actor& a) {
    if (a.reading)
        co_await close_raw_client(ctx, a, true);
    transport::tls_options tls = ctx.options.tls;
    if (a.spec != nullptr && a.spec->tls) {
        tls = transport::tls_options();
        tls.ca_file = a.spec->tls->ca_file;
        tls.cert_file = a.spec->tls->cert_file;
        tls.key_file = a.spec->tls->key_file;
        tls.server_name = a.spec->tls->server_name;
        tls.insecure = a.spec->tls->insecure;
    }
    auto connected = co_await transport::connect(ctx.broker_url, tls, ctx.options.timeout);
    if (!connected.s)
        co_return fmt::format("raw client {} could not connect to {}: {}", a.name,
                              ctx.broker_url.to_string(), connected.message);
    a.stream = std::move(connected.s);
    for (auto& old : a.inbox)
        old.taken = true;  // a new connection: what came before is history
    a.inbox.clear();
    a.open = true;
    a.reading = true;
    a.closed_by_us = false;
    a.closed_at.reset();
    a.close_cause.clear();
    a.reader_done->expires_at(time_point::max());
    ctx.trace(a.name, "connection opened to " + ctx.broker_url.to_string());
    asio::co_spawn(ctx.io, read_loop(ctx, a), asio::detached);
    co_return std::nullopt;
}

asio::awaitable<void> close_raw_client(scenario_context& ctx, raw_actor& a, bool abrupt) {
    if (!a.reading)
        co_return;
    a.closed_by_us = true;
    ctx.trace(a.name, abrupt ? "dropping the connection" : "closing the connection");
    if (abrupt || !a.open)
        a.stream->abort();
    else
        co_await a.stream->close();
    a.open = false;
    co_await wait_reader(ctx, a);
}

asio::awaitable<void> close_all_raw_clients(scenario_context& ctx) {
    for (auto& [name, a] : ctx.raw_clients) {
        if (a->reading) {
            a->closed_by_us = true;
            a->stream->abort();
        }
    }
    for (auto& [name, a] : ctx.raw_clients)
        co_await wait_reader(ctx, *a);
}

codec::expected<std::vector<std::uint8_t>, std::string> raw_send_bytes(
    scenario_context& ctx, const raw_actor& a, const scenario::send_step& s,
    const scenario::position& where, std::string& trace_text) {
    if (!s.packet) {
        auto bytes = hex_bytes(ctx, a, s.hex);
        if (bytes)
            trace_text = "-> bytes " + packet_json::to_hex(*bytes);
        return bytes;
    }
    json::value packet = *s.packet;
    if (packet.as_object().if_contains("client_id") == nullptr) {
        const auto type = packet_json::packet_type_from_name(
            packet.as_object().contains("type") && packet.at("type").is_string()
                ? std::string_view(packet.at("type").as_string())
                : std::string_view());
        if (type == codec::packet_type::connect) {
            auto& connect = packet.as_object();
            connect["client_id"] = json::string(a.client_id);
            // The run's credentials, for brokers that refuse anonymous clients.
            if (ctx.options.username && !connect.contains("username") &&
                !connect.contains("password") && !connect.contains("password_hex")) {
                connect["username"] = json::string(*ctx.options.username);
                if (ctx.options.password)
                    connect["password"] = json::string(*ctx.options.password);
            }
        }
    }
    const std::string client_id = a.client_id;
    auto resolve = ctx.resolver([client_id](std::string_view name) -> std::optional<std::string> {
        if (name == "client_id")
            return client_id;
        return std::nullopt;
    });
    if (!expand_strings(ctx, packet, where, resolve))
        return codec::unexpected{std::string("template expansion failed")};
    if (!s.verbatim_topics)
        prefix_topics(ctx, packet.as_object());
    auto built = packet_json::packet_from_json(packet.as_object(), a.version);
    if (!built)
        return codec::unexpected{built.error()};
    std::vector<std::uint8_t> bytes;
    if (auto ec = codec::encode(*built, a.version, bytes))
        return codec::unexpected{"cannot encode the packet: " + ec.message()};
    trace_text = "-> " + packet_text(*built);
    return bytes;
}

}  // namespace harness::runner
