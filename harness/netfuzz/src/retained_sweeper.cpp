// Deleting the campaign's retained messages: see retained_sweeper.hpp.
#include "harness/netfuzz/retained_sweeper.hpp"

#include <array>
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
constexpr std::uint16_t max_rounds = 64;
constexpr auto version = codec::protocol_version::v3_1_1;

/// The connection under the sweep's time limit, and what it has read.
struct sweep_state {
    std::shared_ptr<timed_wire> wire;
    codec::frame_reader reader{64 * 1024 * 1024};
};

void append(std::vector<std::uint8_t>& out, const codec::packet& p) {
    const auto bytes = codec::encode(p, version);
    out.insert(out.end(), bytes.begin(), bytes.end());
}

/// Reads until the PINGRESP that follows what was sent; calls on_publish for each PUBLISH.
template <class OnPublish>
asio::awaitable<bool> read_until_pingresp(sweep_state& s, OnPublish& on_publish) {
    std::vector<std::uint8_t> buf(16 * 1024);
    for (;;) {
        std::error_code ec;
        const auto n = co_await s.wire->link.read_some(buf, ec);
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

/// Writes `bytes` (ending in a PINGREQ) and reads up to the PINGRESP; false when the broker
/// closed the connection or the time ran out.
template <class OnPublish>
asio::awaitable<bool> exchange(sweep_state& s, const std::vector<std::uint8_t>& bytes,
                               OnPublish& on_publish) {
    std::error_code ec;
    co_await s.wire->link.write(bytes, ec);
    if (ec)
        co_return false;
    co_return co_await read_until_pingresp(s, on_publish);
}

}  // namespace

asio::awaitable<sweep_result> sweep_retained(const execution_options& options,
                                             std::chrono::milliseconds limit) {
    sweep_result out;
    const auto ex = co_await asio::this_coro::executor;
    sweep_state s{timed_wire::start(ex, limit)};
    const wire_target target(options.url, options.tls, options.connect_timeout);
    const bool opened = co_await s.wire->link.open(target, out.problem);
    if (!opened) {
        s.wire->timer.cancel();
        co_return out;
    }

    // Round after round on one connection: SUBSCRIBE `#` (again: a subscription replaced sends
    // the retained messages again, [MQTT-3.8.4-3]) and a PINGREQ, the retained topics that come
    // back, then an empty retained PUBLISH to each and a PINGREQ. A broker sends only as many
    // retained messages on one subscribe as the subscriber's queue takes (about 1000), so a
    // large store takes several rounds; the sweep is complete when a round finds none left.
    // Copies arriving late (after a PINGRESP) are collected in the next read; live messages of
    // 3.1.1 subscribers carry no retain flag, and the deletions come back empty.
    std::set<std::string> found, deleted;
    auto collect = [&](const codec::publish& p) {
        if (p.retain && !p.payload.empty() && found.size() + deleted.size() < max_topics &&
            !deleted.contains(p.topic))
            found.insert(p.topic);
    };
    codec::connect hello;
    hello.version = version;
    hello.client_id = "fz-sweeper";
    hello.clean_start = true;
    std::vector<std::uint8_t> bytes;
    append(bytes, hello);
    bool answered = true;
    for (std::uint16_t round = 1; answered && round <= max_rounds; ++round) {
        codec::subscribe everything;
        everything.packet_id = round;
        everything.subscriptions.push_back(codec::subscription{"#"});
        append(bytes, everything);
        bytes.insert(bytes.end(), pingreq.begin(), pingreq.end());
        answered = co_await exchange(s, bytes, collect);
        if (!answered || found.empty()) {
            out.complete = answered;
            break;
        }
        bytes.clear();
        for (const auto& topic : found) {
            codec::publish remove;
            remove.retain = true;
            remove.topic = topic;
            append(bytes, remove);
        }
        bytes.insert(bytes.end(), pingreq.begin(), pingreq.end());
        const auto batch = std::move(found);
        found.clear();
        answered = co_await exchange(s, bytes, collect);
        if (answered) {
            out.cleared += batch.size();
            deleted.insert(batch.begin(), batch.end());
        }
        bytes.clear();
    }
    s.wire->timer.cancel();
    s.wire->link.abort();
    if (!answered)
        out.problem =
            s.wire->timed_out ? "the sweep ran out of time" : "the broker closed the sweep";
    else if (!out.complete)
        out.problem =
            "retained messages still came back after " + std::to_string(max_rounds) + " rounds";
    co_return out;
}

#pragma GCC diagnostic pop

}  // namespace harness::netfuzz
