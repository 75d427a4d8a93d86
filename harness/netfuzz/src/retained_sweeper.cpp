// Deleting the campaign's retained messages: see retained_sweeper.hpp.
#include "harness/netfuzz/retained_sweeper.hpp"

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <memory>
#include <set>
#include <span>
#include <variant>
#include <vector>

#include "harness/codec/codec.hpp"
#include "harness/codec/framing.hpp"
#include "wire.hpp"

namespace harness::netfuzz {

namespace asio = boost::asio;

// GCC 12 warns -Wmismatched-new-delete on coroutine frames (Asio's allocator); false.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

constexpr std::array<std::uint8_t, 2> pingreq = {0xC0, 0x00};
constexpr std::size_t max_topics = 200'000;
constexpr auto version = codec::protocol_version::v3_1_1;

/// The connection and its time limit, shared with the timer's handler (which may run after the
/// sweep has ended).
struct sweep_state {
    explicit sweep_state(const asio::any_io_executor& ex) : timer(ex) {}
    wire link;
    asio::steady_timer timer;
    codec::frame_reader reader{64 * 1024 * 1024};
    bool timed_out = false;
};

void append(std::vector<std::uint8_t>& out, const codec::packet& p) {
    const auto bytes = codec::encode(p, version);
    out.insert(out.end(), bytes.begin(), bytes.end());
}

/// Reads until the PINGRESP that follows what was sent; calls on_publish for each PUBLISH.
template <class OnPublish>
asio::awaitable<bool> read_until_pingresp(sweep_state& s, OnPublish on_publish) {
    std::vector<std::uint8_t> buf(16 * 1024);
    for (;;) {
        std::error_code ec;
        const auto n = co_await s.link.read_some(buf, ec);
        if (ec)
            co_return false;
        s.reader.feed(std::span<const std::uint8_t>(buf.data(), n));
        for (;;) {
            auto f = s.reader.next();
            if (!f)
                co_return false;
            if (!*f)
                break;
            const auto& frame = **f;
            if (frame.type() == codec::packet_type::pingresp)
                co_return true;
            if (frame.type() != codec::packet_type::publish)
                continue;
            auto decoded = codec::decode_body(frame, version);
            if (decoded)
                if (const auto* p = std::get_if<codec::publish>(&*decoded))
                    on_publish(*p);
        }
    }
}

}  // namespace

asio::awaitable<sweep_result> sweep_retained(const execution_options& options,
                                             std::chrono::milliseconds limit) {
    sweep_result out;
    auto s = std::make_shared<sweep_state>(co_await asio::this_coro::executor);
    s->timer.expires_after(limit);
    s->timer.async_wait([s](const boost::system::error_code& ec) {
        if (ec)
            return;
        s->timed_out = true;
        s->link.abort();
    });
    const wire_target target(options.url, options.tls, options.connect_timeout);
    const bool opened = co_await s->link.open(target, out.problem);
    if (!opened) {
        s->timer.cancel();
        co_return out;
    }

    codec::connect hello;
    hello.version = version;
    hello.client_id = "fz-sweeper";
    hello.clean_start = true;
    codec::subscribe everything;
    everything.packet_id = 1;
    everything.subscriptions.push_back(codec::subscription{"#"});
    std::vector<std::uint8_t> bytes;
    append(bytes, hello);
    append(bytes, everything);
    bytes.insert(bytes.end(), pingreq.begin(), pingreq.end());
    std::error_code ec;
    co_await s->link.write(bytes, ec);

    // The broker sends the retained messages on subscribe, before it answers the PINGREQ; live
    // messages of 3.1.1 subscribers carry no retain flag.
    std::set<std::string> topics;
    auto collect = [&topics](const codec::publish& p) {
        if (p.retain && !p.payload.empty() && topics.size() < max_topics)
            topics.insert(p.topic);
    };
    bool answered = false;
    if (!ec)
        answered = co_await read_until_pingresp(*s, collect);
    if (answered) {
        bytes.clear();
        for (const auto& topic : topics) {
            codec::publish remove;
            remove.retain = true;
            remove.topic = topic;
            append(bytes, remove);
        }
        bytes.insert(bytes.end(), pingreq.begin(), pingreq.end());
        co_await s->link.write(bytes, ec);
        answered = false;
        if (!ec)
            answered = co_await read_until_pingresp(*s, [](const codec::publish&) {});
    }
    s->timer.cancel();
    s->link.abort();
    out.complete = answered;
    out.cleared = answered ? topics.size() : 0;
    if (!answered)
        out.problem = s->timed_out ? "the sweep ran out of time" : "the broker closed the sweep";
    co_return out;
}

#pragma GCC diagnostic pop

}  // namespace harness::netfuzz
