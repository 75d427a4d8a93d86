// libFuzzer target over the broker core (no sockets): the input is a script of operations on
// three connection slots (bytes fed to a connection, output taken and written, the transport
// closing and a new connection taking the slot, time passing). Slot 0 starts as a connected
// MQTT 5.0 client with a will and a persistent session, slot 1 as a connected 3.1.1 client,
// slot 2 raw, so the fuzzer reaches every flow quickly. ASan and UBSan catch memory and
// undefined-behaviour errors; the checks below catch broken bookkeeping, and delivery_checker
// (fed every byte, given every output) checks deliveries against subscriptions and the ids of
// the broker's PUBLISH in flight.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

#include "delivery_checker.hpp"
#include "harness/broker/broker.hpp"
#include "harness/codec/codec.hpp"

namespace {

using namespace harness;
using namespace std::chrono_literals;

using broker_fuzz::fail;

/// The CONNECT each slot sends at the start and on operation C: slot 0 a 5.0 client "a" with a
/// delayed will and a 60 s session, slot 1 a 3.1.1 client "b", slot 2 a 5.0 client that takes
/// over "a" (no will).
std::vector<std::uint8_t> connect_bytes(std::size_t slot) {
    const auto v = slot == 1 ? codec::protocol_version::v3_1_1 : codec::protocol_version::v5;
    codec::connect c;
    c.version = v;
    c.client_id = slot == 1 ? "b" : "a";
    c.clean_start = false;
    c.keep_alive = 5;
    if (v == codec::protocol_version::v5)
        c.properties.add(codec::property_id::session_expiry_interval, 60u);
    if (slot == 0) {
        codec::will_message w;
        w.topic = "will/a";
        w.payload = {'x'};
        w.qos = codec::qos::at_least_once;
        w.properties.add(codec::property_id::will_delay_interval, 2u);
        c.will = std::move(w);
    }
    return codec::encode(c, v);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    broker::broker_options options;
    options.max_queued_messages = 20;
    options.max_queued_bytes = 4096;
    options.output_high_water = 2048;
    options.receive_maximum = 4;
    options.topic_alias_maximum = 3;
    options.maximum_packet_size = 4096;
    broker::broker b(options);
    auto now = broker::time_point{} + 1h;

    broker_fuzz::delivery_checker slots(b);
    for (std::size_t s = 0; s < broker_fuzz::slot_count; ++s)
        slots.open(s, now);
    slots.receive(0, connect_bytes(0), now);
    slots.receive(1, connect_bytes(1), now);

    std::size_t pos = 0;
    while (pos < size) {
        const std::uint8_t op = data[pos++];
        const std::size_t slot = (op >> 4) % 3;
        switch (op & 0x0F) {
            case 8:  // the transport wrote what the broker produced
                if (slots.output_pending(slot) >
                    options.output_high_water + 2 * options.maximum_packet_size + 64 * 1024) {
                    fail("output grew past its bound");
                }
                slots.written(slot, now);
                break;
            case 9:  // the transport closed; a new connection takes the slot
                slots.close(slot, now);
                slots.open(slot, now);
                break;
            case 10: {  // time passes (0 to 25.5 s)
                const std::uint8_t tenths = pos < size ? data[pos++] : 0;
                now += std::chrono::milliseconds(100 * tenths);
                b.tick(now);
                slots.drain();
                const auto next = b.next_deadline();
                if (next && *next + 1s < now)
                    fail("next deadline in the past after tick");
                break;
            }
            case 11:
                b.take_ready();
                break;
            case 12:  // the transport closed; the slot's client connects again with its CONNECT
                slots.close(slot, now);
                slots.open(slot, now);
                slots.receive(slot, connect_bytes(slot), now);
                break;
            default: {  // bytes for the connection: a length, then that many bytes
                if (pos >= size)
                    break;
                const std::size_t declared = data[pos++];
                const std::size_t n = std::min(declared, size - pos);
                slots.receive(slot, std::span<const std::uint8_t>(data + pos, n), now);
                pos += n;
                break;
            }
        }
        if (b.stats().clients_connected > 3)
            fail("more clients connected than connections open");
    }
    for (std::size_t s = 0; s < broker_fuzz::slot_count; ++s)
        b.close(slots.id(s), now);
    now += 3s;  // will delays end; sessions of 60 s stay
    b.tick(now);
    if (b.stats().clients_connected != 0)
        fail("clients still counted as connected after every connection closed");
    return 0;
}
