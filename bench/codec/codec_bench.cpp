// Google Benchmark of the MQTT codec: encode and decode of typical packets, and framing plus
// decoding of a socket-like stream of 64-byte PUBLISH packets, the case that
// compare_mqtt_packet.sh compares with mqtt-packet (the parser of MQTT.js).
//
// Flags of our own, taken out before Google Benchmark sees the rest:
//   --write-stream=FILE   write the PUBLISH stream to FILE, print its summary and exit
//   --stream-file=FILE    run the stream benchmark on the bytes of FILE instead of generating them
//   --stream-packets=N    packets in the generated or written stream (default 1,000,000)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/codec/codec.hpp"
#include "harness/codec/framing.hpp"
#include "harness/codec/packets.hpp"

namespace {

namespace mqtt = harness::codec;
using bytes = std::vector<std::uint8_t>;

constexpr std::size_t publish_size = 64;  // the whole packet, fixed header included
// What one socket read hands over; not a multiple of 64, so packets straddle chunks.
constexpr std::size_t chunk_size = 65'000;
constexpr std::size_t default_stream_packets = 1'000'000;

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "codec_bench: %s\n", message.c_str());
    std::exit(2);
}

bytes encode_or_die(const mqtt::packet& p, mqtt::protocol_version v) {
    bytes out;
    if (const auto ec = mqtt::encode(p, v, out))
        die("encode failed: " + ec.message());
    return out;
}

/// A sensor reading as text, cut or padded with spaces to exactly `size` bytes.
mqtt::binary make_payload(std::size_t size, std::uint32_t seq) {
    char text[64];
    const int n = std::snprintf(text, sizeof text, "{\"seq\":%010u,\"temp\":21.5}", seq);
    mqtt::binary payload(size, ' ');
    std::memcpy(payload.data(), text, std::min(size, static_cast<std::size_t>(n)));
    return payload;
}

/// A QoS 0 PUBLISH whose whole encoding is `publish_size` bytes. At 5.0 it carries a message
/// expiry interval, a content type and one user property, and so a shorter payload.
mqtt::publish make_publish(mqtt::protocol_version v, std::uint32_t seq = 0) {
    mqtt::publish p;
    p.topic = "sensors/hall/temp";
    if (v == mqtt::protocol_version::v5) {
        p.properties = {
            {mqtt::property_id::message_expiry_interval, std::uint32_t{300}},
            {mqtt::property_id::content_type, std::string("text/plain")},
            {mqtt::property_id::user_property, mqtt::string_pair{"id", "42"}},
        };
    }
    const std::size_t overhead = encode_or_die(p, v).size();
    if (overhead > publish_size)
        die("PUBLISH headers exceed the packet size");
    p.payload = make_payload(publish_size - overhead, seq);
    return p;
}

/// A 5.0 CONNECT with credentials, properties and a will that has properties of its own.
mqtt::connect make_connect() {
    mqtt::connect c;
    c.version = mqtt::protocol_version::v5;
    c.clean_start = true;
    c.keep_alive = 30;
    c.client_id = "bench-client-0001";
    c.username = "harness";
    c.password = mqtt::binary{'s', 'e', 'c', 'r', 'e', 't', '-', '1'};
    c.properties = {
        {mqtt::property_id::session_expiry_interval, std::uint32_t{3600}},
        {mqtt::property_id::receive_maximum, std::uint32_t{100}},
        {mqtt::property_id::maximum_packet_size, std::uint32_t{1 << 20}},
        {mqtt::property_id::user_property, mqtt::string_pair{"app", "harness"}},
    };
    auto& will = c.will.emplace();
    will.topic = "clients/bench-client-0001/status";
    will.payload = mqtt::binary{'o', 'f', 'f', 'l', 'i', 'n', 'e'};
    will.qos = mqtt::qos::at_least_once;
    will.retain = true;
    will.properties = {
        {mqtt::property_id::will_delay_interval, std::uint32_t{5}},
        {mqtt::property_id::message_expiry_interval, std::uint32_t{600}},
        {mqtt::property_id::content_type, std::string("text/plain")},
    };
    return c;
}

/// A SUBSCRIBE with four filters (one shared); at 5.0 with options and a subscription identifier.
mqtt::subscribe make_subscribe(mqtt::protocol_version v) {
    mqtt::subscribe s;
    s.packet_id = 7;
    const bool v5 = v == mqtt::protocol_version::v5;
    if (v5) {
        s.properties = {
            {mqtt::property_id::subscription_identifier, std::uint32_t{42}},
            {mqtt::property_id::user_property, mqtt::string_pair{"app", "harness"}},
        };
    }
    s.subscriptions.push_back({"sensors/+/temp", mqtt::qos::at_least_once, false, false,
                               mqtt::retain_handling::send_on_subscribe});
    s.subscriptions.push_back({"sensors/hall/#", mqtt::qos::exactly_once, v5, v5,
                               mqtt::retain_handling::send_on_subscribe});
    s.subscriptions.push_back(
        {"$share/workers/jobs/+", mqtt::qos::at_least_once, false, false,
         v5 ? mqtt::retain_handling::do_not_send : mqtt::retain_handling::send_on_subscribe});
    s.subscriptions.push_back({"control/bench-client-0001", mqtt::qos::at_most_once, false, false,
                               v5 ? mqtt::retain_handling::send_if_new_subscription
                                  : mqtt::retain_handling::send_on_subscribe});
    return s;
}

struct bench_case {
    std::string name;
    mqtt::packet packet;
    mqtt::protocol_version version;
    bytes encoded;
};

bench_case make_case(std::string name, mqtt::packet p, mqtt::protocol_version v) {
    bench_case c{std::move(name), std::move(p), v, {}};
    c.encoded = encode_or_die(c.packet, v);
    // The bytes must decode back to the same packet, or the benchmark measures an error path.
    auto decoded = mqtt::decode(c.encoded, v);
    if (!decoded)
        die(c.name + ": decode failed: " + decoded.error().message);
    if (*decoded != c.packet)
        die(c.name + ": decode does not give back the encoded packet");
    return c;
}

std::vector<bench_case> make_cases() {
    using v = mqtt::protocol_version;
    std::vector<bench_case> cases;
    cases.push_back(make_case("publish_3.1.1_64B", make_publish(v::v3_1_1), v::v3_1_1));
    cases.push_back(make_case("publish_5.0_props_64B", make_publish(v::v5), v::v5));
    cases.push_back(make_case("connect_5.0_will_props", make_connect(), v::v5));
    cases.push_back(make_case("subscribe_3.1.1_4_filters", make_subscribe(v::v3_1_1), v::v3_1_1));
    cases.push_back(make_case("subscribe_5.0_4_filters", make_subscribe(v::v5), v::v5));
    for (const auto& c : cases) {
        if (c.name.find("publish") != std::string::npos && c.encoded.size() != publish_size) {
            die(c.name + " is " + std::to_string(c.encoded.size()) + " bytes, not 64");
        }
    }
    return cases;
}

void bm_encode(benchmark::State& state, const bench_case& c) {
    bytes out;
    out.reserve(c.encoded.size());
    for (auto _ : state) {
        out.clear();
        const auto ec = mqtt::encode(c.packet, c.version, out);
        benchmark::DoNotOptimize(ec);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    if (out != c.encoded)
        state.SkipWithError("encoding differs from the reference bytes");
    const auto n = static_cast<std::int64_t>(state.iterations());
    state.SetItemsProcessed(n);
    state.SetBytesProcessed(n * static_cast<std::int64_t>(c.encoded.size()));
    state.counters["packet_bytes"] = static_cast<double>(c.encoded.size());
}

void bm_decode(benchmark::State& state, const bench_case& c) {
    for (auto _ : state) {
        auto p = mqtt::decode(c.encoded, c.version);
        if (!p) {
            state.SkipWithError("decode failed");
            break;
        }
        benchmark::DoNotOptimize(p);
    }
    const auto n = static_cast<std::int64_t>(state.iterations());
    state.SetItemsProcessed(n);
    state.SetBytesProcessed(n * static_cast<std::int64_t>(c.encoded.size()));
    state.counters["packet_bytes"] = static_cast<double>(c.encoded.size());
}

/// FNV-1a, 32 bits: a checksum that the Node side computes the same way, to prove that both
/// parsers saw identical bytes.
std::uint32_t fnv1a32(std::span<const std::uint8_t> data) {
    std::uint32_t h = 2166136261u;
    for (const std::uint8_t b : data) {
        h ^= b;
        h *= 16777619u;
    }
    return h;
}

/// Back-to-back 64-byte 3.1.1 PUBLISH packets; the payload carries a sequence number.
bytes make_stream(std::size_t packets) {
    bytes out;
    out.reserve(packets * publish_size);
    mqtt::publish p = make_publish(mqtt::protocol_version::v3_1_1);
    for (std::size_t i = 0; i < packets; ++i) {
        p.payload = make_payload(p.payload.size(), static_cast<std::uint32_t>(i));
        if (const auto ec = mqtt::encode(p, mqtt::protocol_version::v3_1_1, out)) {
            die("encode failed: " + ec.message());
        }
    }
    if (out.size() != packets * publish_size)
        die("stream packets are not 64 bytes each");
    return out;
}

bytes read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in)
        die("cannot open " + path);
    bytes data(static_cast<std::size_t>(in.tellg()));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
    if (!in)
        die("cannot read " + path);
    return data;
}

struct stream_source {
    std::optional<std::string> file;
    std::size_t packets = default_stream_packets;
};

stream_source stream_options;

/// The stream, built or read on first use and then kept.
const bytes& stream_bytes() {
    static const bytes data = [] {
        bytes d = stream_options.file ? read_file(*stream_options.file)
                                      : make_stream(stream_options.packets);
        std::fprintf(stderr, "codec_bench: stream %s: %zu bytes, fnv1a32=%08x\n",
                     stream_options.file ? stream_options.file->c_str() : "(generated)", d.size(),
                     fnv1a32(d));
        return d;
    }();
    return data;
}

/// Frames and decodes the stream as a 3.1.1 connection would after CONNECT: the bytes arrive
/// in 65,000-byte reads, frame_reader cuts packets out, decode_body turns each into a packet.
/// With `reuse`, one packet is decoded into again and again, as a receive loop keeps one; without,
/// every frame gives a new packet.
void bm_stream(benchmark::State& state, bool reuse) {
    const bytes& data = stream_bytes();
    const std::span<const std::uint8_t> all(data);
    const auto v = mqtt::protocol_version::v3_1_1;
    std::size_t packets = 0;
    mqtt::packet packet;
    mqtt::decode_error error;
    for (auto _ : state) {
        mqtt::frame_reader reader;
        reader.set_protocol(v);
        packets = 0;
        bool failed = false;
        for (std::size_t pos = 0; pos < all.size() && !failed; pos += chunk_size) {
            reader.feed(all.subspan(pos, std::min(chunk_size, all.size() - pos)));
            while (true) {
                auto f = reader.next();
                if (!f) {
                    state.SkipWithError(("framing failed: " + f.error().message).c_str());
                    failed = true;
                    break;
                }
                if (!*f)
                    break;
                if (reuse) {
                    if (!mqtt::decode_body(**f, v, packet, error)) {
                        state.SkipWithError(("decode failed: " + error.message).c_str());
                        failed = true;
                        break;
                    }
                    benchmark::DoNotOptimize(packet);
                } else {
                    auto p = mqtt::decode_body(**f, v);
                    if (!p) {
                        state.SkipWithError(("decode failed: " + p.error().message).c_str());
                        failed = true;
                        break;
                    }
                    benchmark::DoNotOptimize(p);
                }
                ++packets;
            }
        }
        if (failed)
            break;
        if (reader.buffered() != 0) {
            state.SkipWithError("stream ends inside a packet");
            break;
        }
    }
    const auto n = static_cast<std::int64_t>(state.iterations());
    state.SetItemsProcessed(n * static_cast<std::int64_t>(packets));
    state.SetBytesProcessed(n * static_cast<std::int64_t>(data.size()));
    state.counters["packets"] = static_cast<double>(packets);
    state.counters["stream_bytes"] = static_cast<double>(data.size());
}

/// Takes `--name=value` out of argv; nullopt when absent.
std::optional<std::string> take_flag(int& argc, char** argv, std::string_view name) {
    std::optional<std::string> value;
    int kept = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg.size() > name.size() + 3 && arg.starts_with("--") &&
            arg.substr(2, name.size()) == name && arg[2 + name.size()] == '=') {
            value = std::string(arg.substr(name.size() + 3));
        } else {
            argv[kept++] = argv[i];
        }
    }
    argc = kept;
    return value;
}

}  // namespace

int main(int argc, char** argv) {
    const auto write_stream = take_flag(argc, argv, "write-stream");
    stream_options.file = take_flag(argc, argv, "stream-file");
    if (const auto n = take_flag(argc, argv, "stream-packets")) {
        char* end = nullptr;
        const unsigned long long value = std::strtoull(n->c_str(), &end, 10);
        if (n->empty() || *end != '\0' || value == 0)
            die("--stream-packets needs a positive number");
        stream_options.packets = static_cast<std::size_t>(value);
    }

    if (write_stream) {
        const bytes data = make_stream(stream_options.packets);
        std::ofstream out(*write_stream, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data.data()),
                  static_cast<std::streamsize>(data.size()));
        out.close();
        if (!out)
            die("cannot write " + *write_stream);
        std::printf("packets=%zu\nbytes=%zu\nfnv1a32=%08x\n", stream_options.packets, data.size(),
                    fnv1a32(data));
        return 0;
    }

    static const std::vector<bench_case> cases = make_cases();
    for (const auto& c : cases) {
        benchmark::RegisterBenchmark(("encode/" + c.name).c_str(), bm_encode, std::cref(c));
    }
    for (const auto& c : cases) {
        benchmark::RegisterBenchmark(("decode/" + c.name).c_str(), bm_decode, std::cref(c));
    }
    // stream/ is the receive loop compare_mqtt_packet.sh measures; stream_fresh/ shows the cost
    // of a new packet (two allocations) per frame.
    benchmark::RegisterBenchmark("stream/publish_3.1.1_64B_frame_and_decode", bm_stream, true)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("stream_fresh/publish_3.1.1_64B_frame_and_decode", bm_stream,
                                 false)
        ->Unit(benchmark::kMillisecond);

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
