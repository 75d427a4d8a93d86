// Discarding the sessions the campaign's client ids left: see session_sweeper.hpp.
#include "harness/netfuzz/session_sweeper.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/asio/this_coro.hpp>
#include <memory>
#include <variant>

#include "harness/codec/codec.hpp"
#include "harness/codec/framing.hpp"
#include "wire.hpp"

namespace harness::netfuzz {

namespace asio = boost::asio;

// GCC 12 warns -Wmismatched-new-delete on coroutine frames (Asio's allocator); false.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

constexpr auto version = codec::protocol_version::v3_1_1;
constexpr std::array<std::uint8_t, 2> disconnect = {0xE0, 0x00};

/// The connection of the moment and the time limit, shared with the timer's handler (which may
/// run after the sweep has ended).

enum class outcome { accepted, refused, closed };

/// Reads up to the CONNACK; says whether it accepted the connection.
asio::awaitable<outcome> read_connack(wire& link, std::string& problem) {
    codec::frame_reader reader(64 * 1024);
    std::array<std::uint8_t, 512> buf;
    for (;;) {
        std::error_code ec;
        const auto n = co_await link.read_some(buf, ec);
        if (ec) {
            problem = "the broker closed the connection: " + ec.message();
            co_return outcome::closed;
        }
        reader.feed(std::span<const std::uint8_t>(buf.data(), n));
        auto f = reader.next();
        if (!f) {
            problem = "the broker's answer does not frame";
            co_return outcome::closed;
        }
        if (!*f)
            continue;
        const auto decoded = codec::decode_body(**f, version);
        const auto* ack = decoded ? std::get_if<codec::connack>(&*decoded) : nullptr;
        if (!ack) {
            problem = "the broker answered the CONNECT with something else than a CONNACK";
            co_return outcome::closed;
        }
        if (ack->reason_code == codec::connack_reason::success)
            co_return outcome::accepted;
        problem = fmt::format("the broker refused a client id (CONNACK {:#x})",
                              static_cast<int>(ack->reason_code));
        co_return outcome::refused;
    }
}

}  // namespace

std::vector<std::string> client_ids_of(const fuzz_case& c) {
    // A broker reads a CONNECT only as the first packet of a connection, and the bytes of a
    // packet may lie in several steps (or one step hold several packets): each connection's
    // stream, from its opening or reconnect to the next, is framed and its first packet read.
    std::array<std::vector<std::uint8_t>, max_connections> streams;
    std::vector<std::string> out;
    const auto first_connect = [&out](const std::vector<std::uint8_t>& stream) {
        codec::frame_reader reader;
        reader.set_protocol(codec::protocol_version::v3_1_1);  // any remaining length form
        reader.feed(stream);
        const auto first = reader.next();
        if (!first || !*first || (*first)->type() != codec::packet_type::connect)
            return;
        // A CONNECT carries its own protocol level; the version passed does not matter.
        const auto decoded = codec::decode_body(**first, codec::protocol_version::v5);
        if (!decoded)
            return;
        const auto& id = std::get<codec::connect>(*decoded).client_id;
        if (!id.empty() && std::find(out.begin(), out.end(), id) == out.end())
            out.push_back(id);
    };
    for (const auto& step : c.steps) {
        if (step.connection >= streams.size())
            continue;
        auto& stream = streams[step.connection];
        if (step.reconnect) {
            first_connect(stream);
            stream.clear();
        }
        stream.insert(stream.end(), step.bytes.begin(), step.bytes.end());
    }
    for (const auto& stream : streams)
        first_connect(stream);
    return out;
}

void client_id_pool::add(const fuzz_case& c) {
    for (auto& id : client_ids_of(c))
        add(std::move(id));
}

void client_id_pool::add(std::string id) {
    if (ids_.count(id))
        return;
    if (ids_.size() >= max_ids_ || bytes_ + id.size() > max_bytes_) {
        ++dropped_;
        return;
    }
    bytes_ += id.size();
    ids_.insert(std::move(id));
}

std::vector<std::string> client_id_pool::take() {
    std::vector<std::string> out(ids_.begin(), ids_.end());
    std::sort(out.begin(), out.end());
    ids_.clear();
    bytes_ = 0;
    return out;
}

asio::awaitable<session_sweep_result> sweep_sessions(const execution_options& options,
                                                     std::span<const std::string> ids,
                                                     std::chrono::milliseconds limit) {
    session_sweep_result out;
    auto s = timed_wire::start(co_await asio::this_coro::executor, limit);
    const wire_target target(options.url, options.tls, options.connect_timeout);
    for (const auto& id : ids) {
        if (s->timed_out)
            break;
        if (!co_await s->link.open(target, out.problem))
            break;  // unreachable: no point trying the others
        codec::connect hello;
        hello.version = version;
        hello.client_id = id;
        hello.clean_start = true;
        std::vector<std::uint8_t> bytes;
        if (codec::encode(hello, version, bytes)) {
            ++out.tried;  // an id too long for the wire cannot have a session either
            continue;
        }
        bytes.insert(bytes.end(), disconnect.begin(), disconnect.end());
        std::error_code ec;
        co_await s->link.write(bytes, ec);
        auto result = outcome::closed;
        if (ec)
            out.problem = "the broker closed the connection: " + ec.message();
        else
            result = co_await read_connack(s->link, out.problem);
        s->link.reset();
        if (s->timed_out)
            break;
        ++out.tried;
        out.swept += result == outcome::accepted;
    }
    s->timer.cancel();
    s->link.reset();
    out.complete = out.tried == ids.size();
    if (!out.complete && s->timed_out)
        out.problem = "the sweep ran out of time";
    co_return out;
}

#pragma GCC diagnostic pop

}  // namespace harness::netfuzz
