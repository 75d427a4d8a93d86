// The deliberately non-conforming broker of the conformance tests: one io_context on its own
// thread; per connection a reader, a writer and a watchdog coroutine around the codec. Every
// connection is bounded: 1 MiB packets, 4 MiB queued for sending, 10 s to CONNECT, 1.5 x keep
// alive (5 min without) between packets, 2 s to flush before a close.
#include "nonconforming_broker.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "harness/codec/codec.hpp"
#include "harness/codec/topic.hpp"

namespace harness::conformance::test {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using codec::protocol_version;

constexpr auto use = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t max_packet_size = 1u << 20;
constexpr std::size_t max_queued_bytes = 4u << 20;
constexpr clock::duration connect_timeout = 10s;
constexpr clock::duration idle_without_keep_alive = 5min;
constexpr clock::duration flush_timeout = 2s;
constexpr std::string_view uptime_topic = "$SYS/broker/uptime";

/// The reserved flags each type must carry (PUBLISH has none reserved).
std::uint8_t required_flags(codec::packet_type type) {
    using codec::packet_type;
    return type == packet_type::pubrel || type == packet_type::subscribe ||
                   type == packet_type::unsubscribe
               ? 0x02
               : 0x00;
}

codec::qos min_qos(codec::qos a, codec::qos b) {
    return std::min(a, b);
}

}  // namespace

struct nonconforming_broker::impl {
    struct connection;

    explicit impl(nonconforming_options o) : options(o) {}

    nonconforming_options options;
    asio::io_context io;
    tcp::acceptor acceptor{io};
    asio::steady_timer sys_timer{io};
    std::thread thread;
    std::set<std::shared_ptr<connection>> connections;
    std::uint16_t port = 0;
    bool stopping = false;  // io thread only
    clock::time_point started = clock::now();
    unsigned assigned_ids = 0;

    bool matches(std::string_view filter, std::string_view topic) const;
    void route(const codec::publish& message);
    void publish_uptime();
    void shutdown();
    static asio::awaitable<void> accept_loop(impl* self);
    static asio::awaitable<void> sys_loop(impl* self);
};

struct nonconforming_broker::impl::connection : std::enable_shared_from_this<connection> {
    connection(impl& b, tcp::socket s)
        : broker(b), socket(std::move(s)), write_signal(broker.io), watchdog(broker.io) {}

    impl& broker;
    tcp::socket socket;
    asio::steady_timer write_signal;  // waits at time_point::max; cancelled when work comes
    asio::steady_timer watchdog;
    codec::frame_reader reader{max_packet_size};
    protocol_version version = protocol_version::v5;
    bool connected = false;
    bool closing = false;  // close once the queue is written
    bool closed = false;
    std::string client_id;
    std::optional<codec::will_message> will;
    std::vector<std::pair<std::string, codec::qos>> subscriptions;
    std::deque<std::vector<std::uint8_t>> queue;
    std::size_t queued_bytes = 0;
    std::uint16_t next_id = 0;
    clock::duration idle_limit = connect_timeout;
    clock::time_point deadline = clock::now() + connect_timeout;

    void send(const codec::packet& p) {
        if (closed)
            return;
        auto bytes = codec::encode(p, version);
        queued_bytes += bytes.size();
        if (queued_bytes > max_queued_bytes)
            return close();  // a subscriber that does not read
        queue.push_back(std::move(bytes));
        write_signal.cancel();
    }

    void close() {
        if (closed)
            return;
        closed = true;
        boost::system::error_code ignored;
        socket.shutdown(tcp::socket::shutdown_both, ignored);
        socket.close(ignored);
        write_signal.cancel();
        watchdog.cancel();
        auto self = shared_from_this();
        broker.connections.erase(self);
        if (connected && will) {
            codec::publish message;
            message.topic = std::move(will->topic);
            message.payload = std::move(will->payload);
            message.qos = will->qos;
            will.reset();
            broker.route(message);
        }
    }

    /// 5.0: DISCONNECT with `reason` first; then the connection closes once written.
    void close_with(codec::disconnect_reason reason) {
        if (connected && version == protocol_version::v5) {
            codec::disconnect d;
            d.reason_code = reason;
            send(d);
        }
        close_after_flush();
    }

    void close_after_flush() {
        closing = true;
        deadline = clock::now() + flush_timeout;
        write_signal.cancel();
        watchdog.cancel();  // re-armed for the shorter deadline
    }

    void touch() {
        if (!closing)
            deadline = clock::now() + idle_limit;
    }

    std::uint16_t packet_id() {
        if (++next_id == 0)
            next_id = 1;
        return next_id;
    }

    void on_frame(const codec::frame& f);
    void on_decode_error(const codec::decode_error& error);
    void on_connect(codec::connect& c);
    void on_subscribe(const codec::subscribe& s);
    void on_unsubscribe(const codec::unsubscribe& u);
    void on_publish(codec::publish& p);

    static asio::awaitable<void> read_loop(std::shared_ptr<connection> self);
    static asio::awaitable<void> write_loop(std::shared_ptr<connection> self);
    static asio::awaitable<void> watchdog_loop(std::shared_ptr<connection> self);
};

void nonconforming_broker::impl::connection::on_frame(const codec::frame& f) {
    codec::packet p;
    codec::decode_error error;
    bool ok = codec::decode_body(f, version, p, error);
    if (!ok && broker.options.accept_bad_fixed_header_flags &&
        error.code == codec::codec_errc::invalid_fixed_header_flags) {
        codec::frame repaired = f;  // fault: take the packet as if its flags were right
        repaired.header = static_cast<std::uint8_t>((f.header & 0xF0) | required_flags(f.type()));
        ok = codec::decode_body(repaired, version, p, error);
    }
    if (!ok)
        return on_decode_error(error);
    if (auto* c = std::get_if<codec::connect>(&p))
        return on_connect(*c);
    if (!connected)
        return close();  // the first packet must be CONNECT
    if (auto* s = std::get_if<codec::subscribe>(&p))
        return on_subscribe(*s);
    if (auto* u = std::get_if<codec::unsubscribe>(&p))
        return on_unsubscribe(*u);
    if (auto* m = std::get_if<codec::publish>(&p))
        return on_publish(*m);
    if (auto* r = std::get_if<codec::pubrel>(&p)) {
        codec::pubcomp done;
        done.packet_id = r->packet_id;
        return send(done);
    }
    if (std::holds_alternative<codec::pingreq>(p)) {
        if (!broker.options.ignore_pingreq)  // fault: no PINGRESP
            send(codec::pingresp{});
        return;
    }
    if (auto* d = std::get_if<codec::disconnect>(&p)) {
        if (d->reason_code != codec::disconnect_reason::disconnect_with_will_message)
            will.reset();
        return close();
    }
    if (std::holds_alternative<codec::puback>(p) || std::holds_alternative<codec::pubrec>(p) ||
        std::holds_alternative<codec::pubcomp>(p)) {
        return;  // nothing is retried, so acknowledgements need no bookkeeping
    }
    close_with(codec::disconnect_reason::protocol_error);  // server-to-client packets, AUTH
}

void nonconforming_broker::impl::connection::on_decode_error(const codec::decode_error& error) {
    if (!connected && error.code == codec::codec_errc::unsupported_protocol_version) {
        codec::connack refused;  // the 3.1.1 form: return code 1
        refused.reason_code = codec::connack_reason::unsupported_protocol_version;
        auto bytes = codec::encode(refused, protocol_version::v3_1_1);
        queued_bytes += bytes.size();
        queue.push_back(std::move(bytes));
        return close_after_flush();
    }
    const auto reason = static_cast<codec::disconnect_reason>(error.reason());
    close_with(codec::is_valid(reason) ? reason : codec::disconnect_reason::malformed_packet);
}

void nonconforming_broker::impl::connection::on_connect(codec::connect& c) {
    if (connected) {
        if (broker.options.accept_second_connect)  // fault: answer it
            return send(codec::connack{});
        return close_with(codec::disconnect_reason::protocol_error);
    }
    version = c.version;
    reader.set_protocol(version);
    codec::connack ack;
    if (c.client_id.empty()) {
        if (version != protocol_version::v5 && !c.clean_start) {
            ack.reason_code = codec::connack_reason::client_identifier_not_valid;
            send(ack);
            return close_after_flush();
        }
        c.client_id = "nonconforming-" + std::to_string(++broker.assigned_ids);
        if (version == protocol_version::v5)
            ack.properties.add(codec::property_id::assigned_client_identifier, c.client_id);
    }
    std::vector<std::shared_ptr<connection>> taken_over;
    for (const auto& other : broker.connections) {
        if (other.get() != this && other->connected && other->client_id == c.client_id)
            taken_over.push_back(other);
    }
    for (const auto& other : taken_over)
        other->close_with(codec::disconnect_reason::session_taken_over);
    client_id = std::move(c.client_id);
    will = std::move(c.will);
    idle_limit =
        c.keep_alive > 0 ? clock::duration(c.keep_alive * 1500ms) : idle_without_keep_alive;
    connected = true;
    touch();
    if (version == protocol_version::v5) {
        ack.properties.add(codec::property_id::maximum_qos, 1u);
        ack.properties.add(codec::property_id::retain_available, 0u);
        ack.properties.add(codec::property_id::subscription_identifier_available, 0u);
        ack.properties.add(codec::property_id::shared_subscription_available, 0u);
    }
    send(ack);
}

void nonconforming_broker::impl::connection::on_subscribe(const codec::subscribe& s) {
    codec::suback ack;
    ack.packet_id = s.packet_id;
    if (broker.options.suback_wrong_packet_id)  // fault: the id of the next packet
        ack.packet_id = s.packet_id == 0xFFFF ? 1 : static_cast<std::uint16_t>(s.packet_id + 1);
    for (const auto& sub : s.subscriptions) {
        if (version == protocol_version::v5 && codec::parse_shared_subscription(sub.topic_filter)) {
            ack.reason_codes.push_back(codec::suback_reason::shared_subscriptions_not_supported);
            continue;
        }
        const auto granted = min_qos(sub.max_qos, codec::qos::at_least_once);
        auto existing = std::find_if(subscriptions.begin(), subscriptions.end(),
                                     [&](const auto& e) { return e.first == sub.topic_filter; });
        if (existing != subscriptions.end())
            existing->second = granted;
        else
            subscriptions.emplace_back(sub.topic_filter, granted);
        ack.reason_codes.push_back(static_cast<codec::suback_reason>(granted));
    }
    send(ack);
    broker.publish_uptime();
}

void nonconforming_broker::impl::connection::on_unsubscribe(const codec::unsubscribe& u) {
    codec::unsuback ack;
    ack.packet_id = u.packet_id;
    for (const auto& filter : u.topic_filters) {
        const auto removed =
            std::erase_if(subscriptions, [&](const auto& e) { return e.first == filter; });
        if (version == protocol_version::v5) {
            ack.reason_codes.push_back(removed > 0
                                           ? codec::unsuback_reason::success
                                           : codec::unsuback_reason::no_subscription_existed);
        }
    }
    send(ack);
}

void nonconforming_broker::impl::connection::on_publish(codec::publish& p) {
    if (p.topic.empty())  // a topic alias: the CONNACK allowed none
        return close_with(codec::disconnect_reason::topic_alias_invalid);
    if (p.qos == codec::qos::at_least_once) {
        codec::puback ack;
        ack.packet_id = p.packet_id;
        send(ack);
    } else if (p.qos == codec::qos::exactly_once) {
        codec::pubrec ack;
        ack.packet_id = p.packet_id;
        send(ack);
    }
    broker.route(p);
}

bool nonconforming_broker::impl::matches(std::string_view filter, std::string_view topic) const {
    if (codec::topic_matches(filter, topic))
        return true;
    if (!options.wildcards_match_dollar_topics || topic.empty() || topic.front() != '$')
        return false;
    std::string undollared(topic);  // fault: match as if the name did not start with '$'
    undollared.front() = '_';
    return codec::topic_matches(filter, undollared);
}

void nonconforming_broker::impl::route(const codec::publish& message) {
    std::vector<std::pair<std::shared_ptr<connection>, codec::qos>> targets;
    for (const auto& c : connections) {
        if (!c->connected || c->closing)
            continue;
        std::optional<codec::qos> best;
        for (const auto& [filter, qos] : c->subscriptions) {
            if (matches(filter, message.topic))
                best = std::max(best.value_or(qos), qos);
        }
        if (best)
            targets.emplace_back(c, min_qos(*best, message.qos));
    }
    for (const auto& [c, qos] : targets) {
        codec::publish out;
        out.topic = message.topic;
        out.payload = message.payload;
        out.qos = qos;
        out.packet_id = qos == codec::qos::at_most_once ? 0 : c->packet_id();
        if (c->version == protocol_version::v5) {
            out.properties = message.properties;
            out.properties.erase(codec::property_id::topic_alias);
            out.properties.erase(codec::property_id::subscription_identifier);
        }
        c->send(out);
    }
}

void nonconforming_broker::impl::publish_uptime() {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(clock::now() - started);
    const std::string text = std::to_string(seconds.count()) + " seconds";
    codec::publish message;
    message.topic = uptime_topic;
    message.payload.assign(text.begin(), text.end());
    route(message);
}

void nonconforming_broker::impl::shutdown() {
    stopping = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    sys_timer.cancel();
    std::vector<std::shared_ptr<connection>> all(connections.begin(), connections.end());
    for (const auto& c : all) {
        c->will.reset();
        c->close();
    }
}

asio::awaitable<void> nonconforming_broker::impl::accept_loop(impl* self) {
    asio::steady_timer pause(self->io);
    while (!self->stopping) {
        auto [ec, socket] = co_await self->acceptor.async_accept(use);
        if (self->stopping)
            co_return;
        if (ec) {  // out of descriptors, say: try again shortly
            pause.expires_after(50ms);
            co_await pause.async_wait(use);
            continue;
        }
        if (self->connections.size() >= self->options.max_connections)
            continue;  // the socket closes as it goes out of scope
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto c = std::make_shared<connection>(*self, std::move(socket));
        self->connections.insert(c);
        asio::co_spawn(self->io, connection::read_loop(c), asio::detached);
        asio::co_spawn(self->io, connection::write_loop(c), asio::detached);
        asio::co_spawn(self->io, connection::watchdog_loop(c), asio::detached);
    }
}

asio::awaitable<void> nonconforming_broker::impl::sys_loop(impl* self) {
    while (!self->stopping) {
        self->sys_timer.expires_after(self->options.sys_interval);
        co_await self->sys_timer.async_wait(use);
        if (self->stopping)
            co_return;
        self->publish_uptime();
    }
}

asio::awaitable<void> nonconforming_broker::impl::connection::read_loop(
    std::shared_ptr<connection> self) {
    std::array<std::uint8_t, 4096> data{};
    while (!self->closed) {
        auto buffer = asio::buffer(data);
        auto [ec, n] = co_await self->socket.async_read_some(buffer, use);
        if (ec) {
            self->close();
            co_return;
        }
        if (self->closing)
            continue;  // closing: what else comes is ignored
        self->touch();
        self->reader.feed(std::span<const std::uint8_t>(data.data(), n));
        while (!self->closed && !self->closing) {
            auto next = self->reader.next();
            if (!next) {
                self->on_decode_error(next.error());
                break;
            }
            if (!*next)
                break;
            self->on_frame(**next);
        }
    }
}

asio::awaitable<void> nonconforming_broker::impl::connection::write_loop(
    std::shared_ptr<connection> self) {
    while (!self->closed) {
        if (self->queue.empty()) {
            if (self->closing) {
                self->close();
                co_return;
            }
            self->write_signal.expires_at(clock::time_point::max());
            co_await self->write_signal.async_wait(use);
            continue;
        }
        auto buffer = asio::buffer(self->queue.front());
        auto [ec, n] = co_await asio::async_write(self->socket, buffer, use);
        if (ec) {
            self->close();
            co_return;
        }
        self->queued_bytes -= n;
        self->queue.pop_front();
    }
}

asio::awaitable<void> nonconforming_broker::impl::connection::watchdog_loop(
    std::shared_ptr<connection> self) {
    while (!self->closed) {
        self->watchdog.expires_at(self->deadline);
        co_await self->watchdog.async_wait(use);
        if (!self->closed && clock::now() >= self->deadline)
            self->close();
    }
}

nonconforming_broker::nonconforming_broker(nonconforming_options options)
    : impl_(std::make_unique<impl>(options)) {}

nonconforming_broker::~nonconforming_broker() {
    stop();
}

void nonconforming_broker::start() {
    const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), 0);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen();
    impl_->port = impl_->acceptor.local_endpoint().port();
    asio::co_spawn(impl_->io, impl::accept_loop(impl_.get()), asio::detached);
    if (impl_->options.sys_interval > std::chrono::milliseconds::zero())
        asio::co_spawn(impl_->io, impl::sys_loop(impl_.get()), asio::detached);
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

void nonconforming_broker::stop() {
    if (!impl_->thread.joinable())
        return;
    asio::post(impl_->io, [this] { impl_->shutdown(); });
    impl_->thread.join();
}

std::uint16_t nonconforming_broker::port() const noexcept {
    return impl_->port;
}

std::string nonconforming_broker::url() const {
    return "mqtt://127.0.0.1:" + std::to_string(impl_->port);
}

}  // namespace harness::conformance::test
