// The capability probe: a CONNECT at 5.0 (reading the CONNACK's properties) and at 3.1.1, then
// one connection that tries each feature on topics of its own (subscribe, publish to itself,
// see what comes back), then connections with client identifiers of growing length. Every
// wait is bounded by probe_options::timeout; a step that runs out of it ends the probe.
#include "harness/conformance/probe.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <exception>
#include <memory>
#include <random>

#include "harness/client/async_client.hpp"
#include "harness/client/error.hpp"
#include "harness/transport/error.hpp"

namespace harness::conformance {

namespace {

namespace asio = boost::asio;
using asio::awaitable;
using client::async_client;
using codec::property_id;
using codec::protocol_version;
using codec::qos;
using clock = std::chrono::steady_clock;

constexpr std::array<std::size_t, 5> client_id_lengths = {23, 64, 256, 1024, 65535};
constexpr std::array<std::size_t, 3> topic_lengths = {256, 4096, 65535};
constexpr std::array<std::size_t, 4> payload_sizes = {64 * 1024, 256 * 1024, 1024 * 1024,
                                                      4 * 1024 * 1024};
/// How long to wait for $SYS messages (brokers publish them retained, or every few seconds).
constexpr std::chrono::milliseconds sys_wait{1'000};
/// How long to wait for a message a feature should have delivered after its PUBACK.
constexpr std::chrono::milliseconds delivery_wait{1'000};

/// How a CONNECT went.
enum class answer {
    accepted,
    refused,      // CONNACK with a failure code
    closed,       // the connection ended, or the broker sent what the client rejects
    stalled,      // no CONNACK in time
    unreachable,  // the transport could not connect
};

answer classify(const client::connect_outcome& o) {
    if (o)
        return answer::accepted;
    if (o.error.category() == transport::transport_category())
        return answer::unreachable;
    if (o.error == client::client_errc::connack_timeout)
        return answer::stalled;
    if (o.error == client::client_errc::connection_refused)
        return answer::refused;
    return answer::closed;
}

std::string random_token() {
    std::random_device device;
    std::uniform_int_distribution<unsigned> digit(0, 15);
    std::string token;
    for (int n = 0; n < 8; ++n)
        token += "0123456789abcdef"[digit(device)];
    return token;
}

/// The client identifier prefix made safe for a topic level: no wildcards, no separators.
std::string topic_safe(const std::string& text) {
    std::string out;
    for (const char ch : text) {
        const auto u = static_cast<unsigned char>(ch);
        out += (u < 0x20 || u >= 0x7f || ch == '+' || ch == '#' || ch == '/') ? '_' : ch;
    }
    return out.empty() ? std::string("probe") : out;
}

std::string text_of(int n) {
    return std::to_string(n);
}

std::string milliseconds(std::chrono::milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

std::string bytes(std::size_t n) {
    if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
        return std::to_string(n / (1024 * 1024)) + " MiB";
    if (n >= 1024 && n % 1024 == 0)
        return std::to_string(n / 1024) + " KiB";
    return std::to_string(n) + " bytes";
}

std::vector<codec::subscription> one_filter(std::string filter, qos q) {
    std::vector<codec::subscription> s(1);
    s[0].topic_filter = std::move(filter);
    s[0].max_qos = q;
    return s;
}

std::vector<std::string> one_topic(std::string filter) {
    std::vector<std::string> v;
    v.push_back(std::move(filter));
    return v;
}

codec::property_list one_property(property_id id, std::uint32_t value) {
    codec::property_list p;
    p.add(id, value);
    return p;
}

codec::publish message(std::string topic, std::size_t size, qos q, bool retain) {
    codec::publish m;
    m.topic = std::move(topic);
    m.payload.assign(size, static_cast<std::uint8_t>('p'));
    m.qos = q;
    m.retain = retain;
    return m;
}

/// The granted QoS of a one-filter SUBACK; nullopt when refused or missing.
std::optional<int> granted(const client::subscribe_outcome& o) {
    if (!o || o.reason_codes.size() != 1 || codec::is_failure(o.reason_codes[0]))
        return std::nullopt;
    return static_cast<int>(o.reason_codes[0]);
}

std::string suback_text(const client::subscribe_outcome& o) {
    if (!o)
        return o.message;
    if (o.reason_codes.empty())
        return "an empty SUBACK";
    return "SUBACK " + std::string(codec::to_string(o.reason_codes[0]));
}

class prober {
  public:
    prober(asio::any_io_executor executor, probe_options options)
        : executor_(std::move(executor)),
          options_(std::move(options)),
          token_(random_token()),
          topics_("mqtt-harness-probe/" + topic_safe(options_.client_id_prefix) + "-" + token_ +
                  "/") {
        // Nothing counts as present until the probe saw it.
        auto& c = result_.caps;
        c.maximum_qos = 0;
        c.retain = c.wildcards = c.shared_subscriptions = c.subscription_identifiers = false;
    }

    awaitable<probe_result> run() {
        co_await probe_versions();
        if (!result_.error && (caps().mqtt5 || caps().mqtt311)) {
            co_await probe_features();
            co_await probe_client_ids();
        }
        co_return std::move(result_);
    }

  private:
    capabilities& caps() { return result_.caps; }
    void note(std::string text) { caps().notes.push_back(std::move(text)); }

    std::string client_id(const std::string& suffix) const {
        return options_.client_id_prefix + "-" + token_ + "-" + suffix;
    }

    client::client_options client_options(protocol_version version, std::string id) const {
        client::client_options o;
        o.url = options_.url;
        o.tls = options_.tls;
        o.timeout = options_.timeout;
        o.session.connect_timeout = options_.timeout;
        auto& c = o.session.connect;
        c.version = version;
        c.clean_start = true;
        c.keep_alive = 60;
        c.client_id = std::move(id);
        c.username = options_.username;
        if (options_.password)
            c.password = codec::binary(options_.password->begin(), options_.password->end());
        return o;
    }

    std::unique_ptr<async_client> make_client(client::client_options o) const {
        return std::make_unique<async_client>(executor_, std::move(o));
    }

    /// Whether a request that failed ran out of time (the broker stalls) rather than being
    /// refused; if so, ends the probe with a note.
    bool stalled(clock::time_point started, const std::string& step) {
        if (clock::now() - started < options_.timeout)
            return false;
        stalled_ = true;
        note("the broker did not answer " + step + " within " + milliseconds(options_.timeout) +
             "; nothing after it was probed");
        return true;
    }

    // --- Protocol levels and the 5.0 CONNACK ---------------------------------------------------

    awaitable<void> probe_versions() {
        // 5.0, asking for a session that never expires and the longest keep alive, to learn
        // the broker's limits; DISCONNECT then sets the expiry to 0, leaving nothing behind.
        auto o5 = client_options(protocol_version::v5, client_id("v5"));
        o5.session.connect.keep_alive = 65535;
        o5.session.connect.properties.add(property_id::session_expiry_interval, 0xFFFFFFFFu);
        auto c5 = make_client(std::move(o5));
        const auto r5 = co_await c5->connect();
        const auto a5 = classify(r5);
        if (a5 == answer::unreachable) {
            result_.error = r5.error;
            result_.message = r5.message;
            co_return;
        }
        if (a5 == answer::accepted) {
            caps().mqtt5 = true;
            read_connack(r5.connack ? r5.connack->properties : codec::property_list());
            auto expire_now = one_property(property_id::session_expiry_interval, 0);
            co_await c5->disconnect(codec::disconnect_reason::normal_disconnection,
                                    std::move(expire_now));
        } else {
            note("MQTT 5.0 CONNECT not accepted: " + r5.message);
        }

        auto c4 = make_client(client_options(protocol_version::v3_1_1, client_id("v311")));
        const auto r4 = co_await c4->connect();
        const auto a4 = classify(r4);
        if (a4 == answer::accepted) {
            caps().mqtt311 = true;
            co_await disconnect(*c4);
        } else if (!caps().mqtt5 && (a4 == answer::unreachable || a4 == answer::stalled)) {
            // Nothing answered: the broker is not there, or stalls.
            result_.error = a5 == answer::stalled ? r5.error : r4.error;
            result_.message = a5 == answer::stalled ? r5.message : r4.message;
            co_return;
        } else {
            note("MQTT 3.1.1 CONNECT not accepted: " + r4.message);
        }
        if (!caps().mqtt5 && !caps().mqtt311)
            note("no protocol level was accepted: nothing else was probed");
    }

    void read_connack(const codec::property_list& p) {
        auto& c = caps();
        c.maximum_qos = static_cast<int>(p.integer(property_id::maximum_qos).value_or(2));
        connack_retain_ = p.integer(property_id::retain_available).value_or(1) != 0;
        connack_wildcards_ =
            p.integer(property_id::wildcard_subscription_available).value_or(1) != 0;
        connack_shared_ = p.integer(property_id::shared_subscription_available).value_or(1) != 0;
        connack_subscription_ids_ =
            p.integer(property_id::subscription_identifier_available).value_or(1) != 0;
        c.topic_alias_maximum =
            static_cast<std::uint16_t>(p.integer(property_id::topic_alias_maximum).value_or(0));
        c.receive_maximum =
            static_cast<std::uint16_t>(p.integer(property_id::receive_maximum).value_or(65535));
        c.maximum_packet_size = p.integer(property_id::maximum_packet_size);
        c.session_expiry_cap = p.integer(property_id::session_expiry_interval);
        if (const auto k = p.integer(property_id::server_keep_alive))
            c.server_keep_alive = static_cast<std::uint16_t>(*k);
    }

    // --- Features, on one connection -------------------------------------------------------

    awaitable<void> probe_features() {
        version_ = caps().mqtt5 ? protocol_version::v5 : protocol_version::v3_1_1;
        main_ = make_client(client_options(version_, client_id("main")));
        const std::string what = "the probing connection";
        if (!co_await reconnect(what))
            co_return;
        co_await probe_qos();
        if (!stalled_)
            co_await probe_wildcards();
        if (!stalled_)
            co_await probe_subscription_identifiers();
        if (!stalled_)
            co_await probe_shared();
        if (!stalled_)
            co_await probe_retain();
        if (!stalled_)
            co_await probe_sys();
        if (!stalled_)
            co_await probe_topic_lengths();
        if (!stalled_)
            co_await probe_payloads();
        if (main_->connected())
            co_await disconnect(*main_);
        main_.reset();
    }

    /// A normal DISCONNECT.
    static awaitable<void> disconnect(async_client& c) {
        codec::property_list none;
        co_await c.disconnect(codec::disconnect_reason::normal_disconnection, std::move(none));
    }

    // The helpers below take strings and properties by reference to named objects of the
    // caller's frame: GCC 12 mishandles temporaries inside co_await expressions.

    /// Connects main_ when it is not connected (a step may have cost the connection).
    awaitable<bool> reconnect(const std::string& what) {
        if (main_->connected())
            co_return true;
        const auto started = clock::now();
        const auto r = co_await main_->connect();
        if (r)
            co_return true;
        if (!stalled(started, "the CONNECT of " + what))
            note("could not connect " + what + ": " + r.message);
        co_return false;
    }

    /// QoS 1 where the broker has it, else 0.
    qos test_qos() const {
        return result_.caps.maximum_qos >= 1 ? qos::at_least_once : qos::at_most_once;
    }

    /// Subscribes main_ to one filter; the granted QoS, nullopt when refused (noted).
    awaitable<std::optional<int>> subscribe(const std::string& filter, qos q,
                                            const codec::property_list& props,
                                            const std::string& step) {
        const auto started = clock::now();
        auto filters = one_filter(filter, q);
        auto properties = props;
        const auto r = co_await main_->subscribe(std::move(filters), std::move(properties));
        const auto g = granted(r);
        if (!g && !stalled(started, "the SUBSCRIBE of " + step))
            note(step + ": SUBSCRIBE to \"" + filter + "\" refused: " + suback_text(r));
        co_return g;
    }

    awaitable<void> unsubscribe(const std::string& filter) {
        if (!main_->connected())
            co_return;
        auto filters = one_topic(filter);
        codec::property_list none;
        co_await main_->unsubscribe(std::move(filters), std::move(none));
    }

    /// Publishes `size` bytes on main_; true when acknowledged with success (QoS 0: sent) and
    /// the connection is still up.
    awaitable<bool> publish(const std::string& topic, std::size_t size, qos q, bool retain,
                            const std::string& step) {
        const auto started = clock::now();
        auto m = message(topic, size, q, retain);
        const auto r = co_await main_->publish(std::move(m));
        if (r && main_->connected())
            co_return true;
        if (!stalled(started, "the PUBLISH of " + step))
            note(step + ": " + (r ? std::string("the broker closed the connection") : r.message));
        co_return false;
    }

    /// The next message on `topic` (on any topic starting with it when `prefix`), skipping
    /// others; nullopt when none came within `wait`.
    awaitable<std::optional<codec::publish>> message_on(const std::string& topic,
                                                        std::chrono::milliseconds wait,
                                                        bool prefix = false) {
        const auto deadline = clock::now() + wait;
        while (true) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
            if (left.count() <= 0)
                co_return std::nullopt;
            auto m = co_await main_->next_message(left);
            if (!m)
                co_return std::nullopt;
            if (prefix ? m->topic.starts_with(topic) : m->topic == topic)
                co_return m;
        }
    }

    /// A wait for a message, never longer than the step bound.
    std::chrono::milliseconds bounded(std::chrono::milliseconds wait) const {
        return std::min(wait, options_.timeout);
    }

    /// Subscribes to `filter`, publishes on `topic` and waits for it: the message, or nullopt
    /// (noted) when something failed.
    awaitable<std::optional<codec::publish>> round_trip(const std::string& filter,
                                                        const std::string& topic,
                                                        const codec::property_list& props,
                                                        const std::string& step) {
        if (!co_await subscribe(filter, test_qos(), props, step))
            co_return std::nullopt;
        std::optional<codec::publish> m;
        if (co_await publish(topic, 1, test_qos(), false, step)) {
            m = co_await message_on(topic, bounded(delivery_wait));
            if (!m)
                note(step + ": \"" + filter + "\" was granted but nothing came on " + topic);
        }
        co_await unsubscribe(filter);
        co_return m;
    }

    awaitable<void> probe_qos() {
        // 5.0 advertises it; 3.1.1 only shows it in what a QoS 2 subscription is granted.
        const std::string filter = topics_ + "qos";
        const std::string step = "maximum QoS";
        const codec::property_list none;
        const auto g = co_await subscribe(filter, qos::exactly_once, none, step);
        if (!g) {
            if (!caps().mqtt5 && !stalled_)
                note("maximum QoS unknown: taken as 0");
            co_return;
        }
        if (!caps().mqtt5) {
            caps().maximum_qos = *g;
        } else if (*g < caps().maximum_qos) {
            note("CONNACK Maximum QoS is " + text_of(caps().maximum_qos) +
                 " but a QoS 2 subscription was granted QoS " + text_of(*g));
            caps().maximum_qos = *g;
        }
        co_await unsubscribe(filter);
    }

    awaitable<void> probe_wildcards() {
        if (caps().mqtt5 && !connack_wildcards_) {
            note("wildcards: CONNACK says Wildcard Subscription Available 0");
            co_return;
        }
        const std::string filter = topics_ + "wild/+/#";
        const std::string topic = topics_ + "wild/a/b";
        const std::string step = "wildcards";
        const codec::property_list none;
        caps().wildcards = (co_await round_trip(filter, topic, none, step)).has_value();
    }

    awaitable<void> probe_subscription_identifiers() {
        if (!caps().mqtt5)
            co_return;  // a 5.0 feature
        if (!connack_subscription_ids_) {
            note("subscription identifiers: CONNACK says Subscription Identifiers Available 0");
            co_return;
        }
        const std::string topic = topics_ + "subid";
        const std::string step = "subscription identifiers";
        const auto props = one_property(property_id::subscription_identifier, 42);
        const auto m = co_await round_trip(topic, topic, props, step);
        if (m) {
            const auto ids = m->properties.subscription_identifiers();
            caps().subscription_identifiers = std::find(ids.begin(), ids.end(), 42u) != ids.end();
            if (!caps().subscription_identifiers)
                note("subscription identifiers: the message came without identifier 42");
        }
    }

    awaitable<void> probe_shared() {
        if (caps().mqtt5 && !connack_shared_) {
            note("shared subscriptions: CONNACK says Shared Subscription Available 0");
            co_return;
        }
        const std::string filter = "$share/probe/" + topics_ + "shared";
        const std::string topic = topics_ + "shared";
        const std::string step = "shared subscriptions";
        const codec::property_list none;
        caps().shared_subscriptions = (co_await round_trip(filter, topic, none, step)).has_value();
    }

    awaitable<void> probe_retain() {
        if (caps().mqtt5 && !connack_retain_) {
            note("retain: CONNACK says Retain Available 0");
            co_return;
        }
        const std::string topic = topics_ + "retain";
        const std::string step = "retain";
        const codec::property_list none;
        if (co_await publish(topic, 1, test_qos(), true, step) &&
            co_await subscribe(topic, test_qos(), none, step)) {
            const auto m = co_await message_on(topic, bounded(delivery_wait));
            caps().retain = m && m->retain;
            if (!caps().retain)
                note(m ? "retain: the message came without the retain flag"
                       : "retain: a new subscriber did not get the retained message");
            co_await unsubscribe(topic);
        }
        co_await clear_retained(topic);
    }

    /// An empty retained message removes the one the probe left; tried even after a stall.
    awaitable<void> clear_retained(const std::string& topic) {
        const bool was_stalled = stalled_;
        const std::string what = "the connection clearing the retained message";
        const std::string step = "clearing the retained message";
        if (co_await reconnect(what) && !co_await publish(topic, 0, test_qos(), true, step))
            note("the retained message on " + topic + " may be left behind");
        stalled_ = stalled_ || was_stalled;
    }

    awaitable<void> probe_sys() {
        // Without wildcards, the topic Mosquitto and the embedded broker retain from the start.
        const std::string filter = caps().wildcards ? "$SYS/#" : "$SYS/broker/version";
        const std::string prefix = "$SYS/";
        const std::string step = "$SYS topics";
        const codec::property_list none;
        if (!co_await subscribe(filter, qos::at_most_once, none, step))
            co_return;
        const auto wait = bounded(sys_wait);
        caps().sys_topics = (co_await message_on(prefix, wait, true)).has_value();
        if (!caps().sys_topics)
            note("$SYS topics: no message within " + milliseconds(wait));
        co_await unsubscribe(filter);
    }

    awaitable<void> probe_topic_lengths() {
        if (test_qos() == qos::at_most_once) {
            note("topic length: not probed (QoS 0 only, nothing acknowledges a PUBLISH)");
            co_return;
        }
        const std::string base = topics_ + "len/";
        const std::string what = "the connection for topic lengths";
        for (const auto n : topic_lengths) {
            if (base.size() >= n)
                continue;
            if (!co_await reconnect(what))
                co_return;
            const std::string topic = base + std::string(n - base.size(), 't');
            const std::string step = "a topic of " + std::to_string(n) + " bytes";
            if (!co_await publish(topic, 1, qos::at_least_once, false, step))
                co_return;
            caps().max_topic_length = n;
        }
    }

    awaitable<void> probe_payloads() {
        if (test_qos() == qos::at_most_once) {
            note("payload size: not probed (QoS 0 only, nothing acknowledges a PUBLISH)");
            co_return;
        }
        const std::string topic = topics_ + "payload";
        const std::string what = "the connection for payload sizes";
        for (const auto n : payload_sizes) {
            if (!co_await reconnect(what))
                co_return;
            const std::string step = "a payload of " + bytes(n);
            if (!co_await publish(topic, n, qos::at_least_once, false, step))
                co_return;
            caps().largest_payload = n;
        }
    }

    // --- Client identifiers, one connection each -------------------------------------------

    /// Connects with `id` and disconnects; whether the CONNECT was accepted.
    awaitable<bool> try_client_id(const std::string& id, const std::string& step) {
        auto c = make_client(client_options(version_, id));
        const auto started = clock::now();
        const auto r = co_await c->connect();
        if (r) {
            co_await disconnect(*c);
            co_return true;
        }
        if (!stalled(started, "the CONNECT with " + step))
            note(step + ": " + r.message);
        co_return false;
    }

    awaitable<void> probe_client_ids() {
        if (stalled_)
            co_return;
        for (const auto n : client_id_lengths) {
            auto id = client_id("id");
            if (id.size() > n)
                continue;
            id.append(n - id.size(), 'i');
            const std::string step = "a client identifier of " + std::to_string(n) + " bytes";
            if (!co_await try_client_id(id, step))
                break;
            caps().max_client_id_length = n;
        }
        if (stalled_)
            co_return;
        // '/', ' ' and U+00E9 (two bytes of UTF-8).
        const std::string id = client_id("any/ \xc3\xa9");
        const std::string step = "a client identifier with '/', ' ' and '\xc3\xa9'";
        caps().client_id_any_characters = co_await try_client_id(id, step);
        if (stalled_)
            co_return;
        // Zero bytes with a clean start: the server may assign one (it need not).
        caps().empty_client_id =
            co_await try_client_id(std::string(), "an empty client identifier");
    }

    asio::any_io_executor executor_;
    probe_options options_;
    std::string token_;
    std::string topics_;  // "mqtt-harness-probe/<prefix>-<token>/"
    probe_result result_;
    bool stalled_ = false;
    protocol_version version_ = protocol_version::v5;
    std::unique_ptr<async_client> main_;
    bool connack_retain_ = true;
    bool connack_wildcards_ = true;
    bool connack_shared_ = true;
    bool connack_subscription_ids_ = true;
};

}  // namespace

bool capabilities::has(std::string_view capability) const {
    if (capability == "mqtt3.1.1")
        return mqtt311;
    if (capability == "mqtt5")
        return mqtt5;
    if (capability == "qos1")
        return (mqtt311 || mqtt5) && maximum_qos >= 1;
    if (capability == "qos2")
        return (mqtt311 || mqtt5) && maximum_qos >= 2;
    if (capability == "retain")
        return retain;
    if (capability == "wildcards")
        return wildcards;
    if (capability == "shared_subscriptions")
        return shared_subscriptions;
    if (capability == "subscription_identifiers")
        return subscription_identifiers;
    if (capability == "topic_alias")
        return mqtt5 && topic_alias_maximum > 0;
    if (capability == "sys_topics")
        return sys_topics;
    if (capability == "empty_client_id")
        return empty_client_id;
    if (capability == "websocket")
        return websocket;
    return false;
}

std::span<const std::string_view> capability_names() noexcept {
    static constexpr std::array<std::string_view, 12> names = {"mqtt3.1.1",
                                                               "mqtt5",
                                                               "qos1",
                                                               "qos2",
                                                               "retain",
                                                               "wildcards",
                                                               "shared_subscriptions",
                                                               "subscription_identifiers",
                                                               "topic_alias",
                                                               "sys_topics",
                                                               "empty_client_id",
                                                               "websocket"};
    return names;
}

std::vector<std::string> capabilities::names() const {
    std::vector<std::string> out;
    for (const auto name : capability_names()) {
        if (has(name))
            out.emplace_back(name);
    }
    return out;
}

awaitable<probe_result> probe(probe_options options) {
    auto executor = co_await asio::this_coro::executor;
    const bool websocket =
        options.url.kind == transport::scheme::ws || options.url.kind == transport::scheme::wss;
    auto p = std::make_unique<prober>(executor, std::move(options));
    auto result = co_await p->run();
    result.caps.websocket = websocket;
    co_return result;
}

probe_result probe_broker(probe_options options) {
    asio::io_context io(1);
    probe_result result;
    bool done = false;
    asio::co_spawn(io, probe(std::move(options)), [&](std::exception_ptr e, probe_result r) {
        done = true;
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                result.error = std::make_error_code(std::errc::io_error);
                result.message = std::string("the probe failed: ") + x.what();
            }
        } else {
            result = std::move(r);
        }
        io.stop();  // clients closed; nothing left worth running
    });
    io.run();
    if (!done) {
        result.error = std::make_error_code(std::errc::operation_canceled);
        result.message = "the probe did not finish";
    }
    return result;
}

std::string describe(const capabilities& caps) {
    auto yes_no = [](bool b) { return b ? std::string("yes") : std::string("no"); };
    std::string versions;
    if (caps.mqtt311)
        versions += "3.1.1";
    if (caps.mqtt5)
        versions += std::string(versions.empty() ? "" : ", ") + "5.0";
    if (versions.empty())
        versions = "none accepted";

    std::string out = "MQTT versions: " + versions + "\n";
    out += "maximum QoS: " + std::to_string(caps.maximum_qos) + "; retain: " + yes_no(caps.retain) +
           "; wildcards: " + yes_no(caps.wildcards) +
           "; shared subscriptions: " + yes_no(caps.shared_subscriptions) +
           "; subscription identifiers: " + yes_no(caps.subscription_identifiers) +
           "; $SYS: " + yes_no(caps.sys_topics) + "\n";
    if (caps.mqtt5) {
        out += "5.0 CONNACK: receive maximum " + std::to_string(caps.receive_maximum) +
               ", topic alias maximum " + std::to_string(caps.topic_alias_maximum) +
               ", maximum packet size " +
               (caps.maximum_packet_size ? std::to_string(*caps.maximum_packet_size)
                                         : std::string("(none)")) +
               ", session expiry cap " +
               (caps.session_expiry_cap ? std::to_string(*caps.session_expiry_cap) + " s"
                                        : std::string("(none)")) +
               ", server keep alive " +
               (caps.server_keep_alive ? std::to_string(*caps.server_keep_alive) + " s"
                                       : std::string("(none)")) +
               "\n";
    }
    out += "accepted: client identifier " + std::to_string(caps.max_client_id_length) +
           " bytes (any characters: " + yes_no(caps.client_id_any_characters) +
           "; empty: " + yes_no(caps.empty_client_id) + "), topic " +
           std::to_string(caps.max_topic_length) + " bytes, payload " +
           bytes(caps.largest_payload) + "\n";
    for (const auto& n : caps.notes)
        out += "note: " + n + "\n";
    return out;
}

}  // namespace harness::conformance
