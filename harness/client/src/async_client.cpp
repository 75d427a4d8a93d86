// The asynchronous client: moves bytes between a transport and the session state machine.
// All coroutines of one client run on its executor (a single-threaded io_context or a strand);
// they interleave only at co_await, which is what keeps the shared state consistent.
#include "harness/client/async_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <map>

namespace harness::client {

namespace asio = boost::asio;
using asio::awaitable;

struct async_client::impl : std::enable_shared_from_this<impl> {
    impl(asio::any_io_executor ex, client_options o)
        : executor(std::move(ex)),
          options(std::move(o)),
          s(options.session),
          write_signal(executor, time_point::max()),
          tick_timer(executor, time_point::max()) {}

    asio::any_io_executor executor;
    client_options options;
    session s;
    std::unique_ptr<transport::stream> stream;
    std::uint64_t generation = 0;  // one per connection; loops of older ones stop
    bool stream_closed = true;
    asio::steady_timer write_signal;
    asio::steady_timer tick_timer;
    time_point armed_deadline = time_point::max();  // what tick_timer waits for
    /// What a coroutine in wait_until() waits for; an event wakes only the waiters it concerns,
    /// so that one acknowledgement does not wake every publish of a wide in-flight window.
    enum class wake_on { any, connack, message, publish_ack, subscribe_ack, unsubscribe_ack };
    struct waiter {
        asio::steady_timer* timer;
        wake_on what;
        std::uint16_t packet_id;
    };
    std::vector<waiter> waiters;

    std::optional<connect_outcome> connect_result;
    std::optional<disconnected_event> last_disconnect;
    std::deque<codec::publish> messages;
    std::map<std::uint16_t, publish_outcome> published;
    std::map<std::uint16_t, subscribe_outcome> subscribed;
    std::map<std::uint16_t, unsubscribe_outcome> unsubscribed;

    packet_observer observer;
    std::function<void(const codec::auth&)> auth_handler;
    std::function<void(codec::publish&&)> message_handler;
    codec::frame_reader trace_sent;
    codec::frame_reader trace_received;

    static time_point now() { return clock::now(); }

    /// Wakes every coroutine waiting in wait_until() to re-check its condition.
    void notify_all() {
        for (auto& w : waiters)
            w.timer->cancel();
    }

    /// Wakes the waiters for `what` (and packet id `id` where it has one), and waiters for
    /// anything at all.
    void notify(wake_on what, std::uint16_t id = 0) {
        for (auto& w : waiters) {
            if (w.what == wake_on::any || (w.what == what && w.packet_id == id))
                w.timer->cancel();
        }
    }

    template <class Done>
    awaitable<bool> wait_until(Done done, time_point deadline, wake_on what = wake_on::any,
                               std::uint16_t id = 0) {
        while (!done()) {
            if (now() >= deadline)
                co_return false;
            asio::steady_timer timer(executor, deadline);
            waiters.push_back(waiter{&timer, what, id});
            co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            std::erase_if(waiters, [&](const waiter& w) { return w.timer == &timer; });
        }
        co_return true;
    }

    void trace(direction d, std::span<const std::uint8_t> bytes) {
        if (!observer)
            return;
        auto& reader = d == direction::sent ? trace_sent : trace_received;
        reader.feed(bytes);
        while (true) {
            auto f = reader.next();
            if (!f || !*f)
                return;
            if (auto p = codec::decode_body(**f, s.version()))
                observer(d, *p);
        }
    }

    /// After anything fed the session: hand out its events, wake the writer and the timer.
    /// Wakes only who has something to do: this runs once per packet, so needless wake-ups
    /// would cost more CPU than the protocol itself.
    void after_session_change() {
        while (s.has_event())
            dispatch(s.pop_event());
        if (!s.output().empty() || s.should_close())
            write_signal.cancel();
        // A later deadline needs no wake-up: the timer fires early, tick() does nothing, and
        // the loop re-arms it.
        if (s.next_deadline().value_or(time_point::max()) < armed_deadline)
            tick_timer.cancel();
        if (s.state() == session_state::closed)
            notify_all();
    }

    /// Keeps a SUBACK's or UNSUBACK's outcome for the request waiting on its packet id.
    template <class Outcome, class Event>
    void store_ack(std::map<std::uint16_t, Outcome>& results, Event& value, wake_on what) {
        Outcome r;
        r.reason_codes = std::move(value.reason_codes);
        r.properties = std::move(value.properties);
        results[value.packet_id] = std::move(r);
        notify(what, value.packet_id);
    }

    void dispatch(event e) {
        std::visit(
            [&](auto& value) {
                using T = std::decay_t<decltype(value)>;
                if constexpr (std::is_same_v<T, connected_event>) {
                    connect_outcome r;
                    r.connack = value.connack;
                    connect_result = std::move(r);
                    notify(wake_on::connack);
                } else if constexpr (std::is_same_v<T, message_event>) {
                    if (message_handler) {
                        message_handler(std::move(value.message));
                    } else {
                        messages.push_back(std::move(value.message));
                        notify(wake_on::message);
                    }
                } else if constexpr (std::is_same_v<T, publish_done_event>) {
                    publish_outcome r;
                    r.error = value.error;
                    r.packet_id = value.packet_id;
                    r.reason_code = value.reason_code;
                    r.properties = std::move(value.properties);
                    if (!r.error && r.reason_code >= 0x80) {
                        r.error = make_error_code(static_cast<codec::puback_reason>(r.reason_code));
                    }
                    if (r.error)
                        r.message =
                            "PUBLISH " + std::to_string(r.packet_id) + ": " + r.error.message();
                    published[value.packet_id] = std::move(r);
                    notify(wake_on::publish_ack, value.packet_id);
                } else if constexpr (std::is_same_v<T, subscribe_done_event>) {
                    store_ack(subscribed, value, wake_on::subscribe_ack);
                } else if constexpr (std::is_same_v<T, unsubscribe_done_event>) {
                    store_ack(unsubscribed, value, wake_on::unsubscribe_ack);
                } else if constexpr (std::is_same_v<T, auth_event>) {
                    if (auth_handler)
                        auth_handler(value.packet);
                } else if constexpr (std::is_same_v<T, disconnected_event>) {
                    if (!connect_result)
                        connect_result = connect_outcome{{value.error, value.message}, {}};
                    last_disconnect = std::move(value);
                    notify_all();
                }
            },
            e);
    }

    awaitable<void> read_loop(std::uint64_t gen) {
        auto self = shared_from_this();
        std::vector<std::uint8_t> buffer(64 * 1024);
        while (gen == generation && stream) {
            std::error_code ec;
            const std::size_t n = co_await stream->read_some(buffer, ec);
            if (gen != generation)
                break;
            if (ec) {
                s.connection_lost(now());
                after_session_change();
                break;
            }
            const std::span<const std::uint8_t> bytes(buffer.data(), n);
            trace(direction::received, bytes);
            s.receive(bytes, now());
            after_session_change();
        }
    }

    awaitable<void> write_loop(std::uint64_t gen) {
        auto self = shared_from_this();
        while (gen == generation && stream) {
            const auto pending = s.output();
            if (!pending.empty()) {
                std::vector<std::uint8_t> chunk(pending.begin(), pending.end());
                s.consume_output(chunk.size());
                trace(direction::sent, chunk);
                std::error_code ec;
                co_await stream->write(chunk, ec);
                if (gen != generation)
                    break;
                if (ec) {
                    s.connection_lost(now());
                    after_session_change();
                    break;
                }
                continue;
            }
            if (s.should_close()) {
                co_await stream->close();
                if (gen == generation)
                    end_connection();
                break;
            }
            write_signal.expires_at(time_point::max());
            co_await write_signal.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }

    awaitable<void> tick_loop(std::uint64_t gen) {
        auto self = shared_from_this();
        while (gen == generation) {
            armed_deadline = s.next_deadline().value_or(time_point::max());
            tick_timer.expires_at(armed_deadline);
            co_await tick_timer.async_wait(asio::as_tuple(asio::use_awaitable));
            if (gen != generation)
                break;
            s.tick(now());
            after_session_change();
        }
    }

    /// Waits for the acknowledgement of request `id` (SUBACK, UNSUBACK) and takes its outcome.
    template <class Outcome>
    awaitable<Outcome> await_outcome(std::map<std::uint16_t, Outcome>& results,
                                     codec::expected<std::uint16_t, std::error_code> id,
                                     wake_on ack_event, std::string what, std::string ack) {
        auto self = shared_from_this();
        Outcome outcome;
        if (!id) {
            outcome.error = id.error();
            outcome.message = what + ": " + id.error().message();
            co_return outcome;
        }
        const std::uint16_t packet_id = *id;
        co_await wait_until(
            [&] { return results.contains(packet_id) || s.state() == session_state::closed; },
            now() + options.timeout, ack_event, packet_id);
        if (const auto it = results.find(packet_id); it != results.end()) {
            outcome = std::move(it->second);
            results.erase(it);
            co_return outcome;
        }
        outcome.error = make_error_code(client_errc::not_connected);
        outcome.message = what + ": no " + ack + " (the connection ended or it took longer than " +
                          std::to_string(options.timeout.count()) + " ms)";
        co_return outcome;
    }

    /// Ends the current connection's loops (the stream is closed or abandoned).
    void end_connection() {
        ++generation;
        stream_closed = true;
        write_signal.cancel();
        tick_timer.cancel();
        notify_all();
    }

    void spawn(awaitable<void> loop) {
        asio::co_spawn(
            executor, std::move(loop), [self = shared_from_this()](std::exception_ptr e) {
                if (e)
                    std::rethrow_exception(e);  // a bug: the loops report errors, never throw
            });
    }
};

async_client::async_client(asio::any_io_executor executor, client_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(options))) {}

async_client::~async_client() {
    abort();
}

void async_client::observe(packet_observer observer) {
    impl_->observer = std::move(observer);
}

void async_client::on_auth(std::function<void(const codec::auth&)> handler) {
    impl_->auth_handler = std::move(handler);
}

void async_client::on_message(std::function<void(codec::publish&&)> handler) {
    impl_->message_handler = std::move(handler);
}

bool async_client::connected() const {
    return impl_->s.state() == session_state::connected;
}

const std::optional<disconnected_event>& async_client::last_disconnect() const {
    return impl_->last_disconnect;
}

const session& async_client::state() const {
    return impl_->s;
}

awaitable<connect_outcome> async_client::connect() {
    auto self = impl_;
    auto& i = *self;
    auto connected = co_await transport::connect(i.options.url, i.options.tls, i.options.timeout);
    if (!connected.s)
        co_return connect_outcome{{connected.ec, connected.message}, {}};
    i.end_connection();  // stops loops of an earlier connection, if any
    i.stream = std::move(connected.s);
    i.stream_closed = false;
    i.connect_result.reset();
    i.last_disconnect.reset();
    i.trace_sent = codec::frame_reader();
    i.trace_received = codec::frame_reader();
    const std::uint64_t gen = i.generation;
    i.s.start(impl::now());
    i.spawn(i.read_loop(gen));
    i.spawn(i.write_loop(gen));
    i.spawn(i.tick_loop(gen));
    i.after_session_change();
    const bool answered =
        co_await i.wait_until([&] { return i.connect_result.has_value(); },
                              impl::now() + i.options.timeout, impl::wake_on::connack);
    if (!answered) {
        abort();
        co_return connect_outcome{{make_error_code(client_errc::connack_timeout),
                                   "no CONNACK from " + i.options.url.to_string() + " within " +
                                       std::to_string(i.options.timeout.count()) + " ms"},
                                  {}};
    }
    auto result = *i.connect_result;
    if (result.error) {
        result.message = i.options.url.to_string() + ": " + result.message;
    }
    co_return result;
}

awaitable<publish_outcome> async_client::publish(codec::publish message) {
    auto self = impl_;
    auto& i = *self;
    const auto q = message.qos;
    auto id = i.s.publish(std::move(message), impl::now());
    i.after_session_change();
    if (!id)
        co_return publish_outcome{{id.error(), "PUBLISH: " + id.error().message()}, 0, 0, {}};
    if (q == codec::qos::at_most_once)
        co_return publish_outcome{};
    const std::uint16_t packet_id = *id;
    const bool done = co_await i.wait_until(
        [&] { return i.published.contains(packet_id) || i.s.state() == session_state::closed; },
        impl::now() + i.options.timeout, impl::wake_on::publish_ack, packet_id);
    if (const auto it = i.published.find(packet_id); it != i.published.end()) {
        auto result = std::move(it->second);
        i.published.erase(it);
        co_return result;
    }
    const auto error =
        make_error_code(done ? client_errc::connection_lost : client_errc::not_connected);
    co_return publish_outcome{
        {error, done ? "PUBLISH " + std::to_string(packet_id) +
                           ": the connection ended before it was acknowledged (kept for redelivery)"
                     : "PUBLISH " + std::to_string(packet_id) + ": no acknowledgement within " +
                           std::to_string(i.options.timeout.count()) + " ms"},
        packet_id,
        0,
        {}};
}

awaitable<subscribe_outcome> async_client::subscribe(std::vector<codec::subscription> subscriptions,
                                                     codec::property_list properties) {
    auto self = impl_;
    auto id = self->s.subscribe(std::move(subscriptions), std::move(properties), impl::now());
    self->after_session_change();
    co_return co_await self->await_outcome(self->subscribed, std::move(id),
                                           impl::wake_on::subscribe_ack, "SUBSCRIBE", "SUBACK");
}

awaitable<unsubscribe_outcome> async_client::unsubscribe(std::vector<std::string> topic_filters,
                                                         codec::property_list properties) {
    auto self = impl_;
    auto id = self->s.unsubscribe(std::move(topic_filters), std::move(properties), impl::now());
    self->after_session_change();
    co_return co_await self->await_outcome(self->unsubscribed, std::move(id),
                                           impl::wake_on::unsubscribe_ack, "UNSUBSCRIBE",
                                           "UNSUBACK");
}

awaitable<std::optional<codec::publish>> async_client::next_message(
    std::chrono::milliseconds timeout) {
    auto self = impl_;
    auto& i = *self;
    co_await i.wait_until(
        [&] { return !i.messages.empty() || i.s.state() == session_state::closed; },
        impl::now() + timeout, impl::wake_on::message);
    if (i.messages.empty())
        co_return std::nullopt;
    auto message = std::move(i.messages.front());
    i.messages.pop_front();
    co_return message;
}

void async_client::send_auth(const codec::auth& packet) {
    impl_->s.send_auth(packet, impl::now());
    impl_->after_session_change();
}

awaitable<void> async_client::disconnect(codec::disconnect_reason reason,
                                         codec::property_list properties) {
    auto self = impl_;
    auto& i = *self;
    if (i.stream_closed)
        co_return;
    i.s.disconnect(reason, std::move(properties), impl::now());
    i.after_session_change();
    const bool closed =
        co_await i.wait_until([&] { return i.stream_closed; }, impl::now() + i.options.timeout);
    if (!closed)
        abort();
}

void async_client::abort() {
    auto& i = *impl_;
    if (i.stream && !i.stream_closed) {
        i.stream->abort();
        i.s.connection_lost(impl::now());
        i.end_connection();
        while (i.s.has_event())
            i.dispatch(i.s.pop_event());
        i.notify_all();
    }
}

}  // namespace harness::client
