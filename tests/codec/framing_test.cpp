// Incremental framing: any split of the input gives the same packets; the maximum packet size
// is enforced from the fixed header before the body is buffered.
#include "harness/codec/framing.hpp"

#include "test_support.hpp"

namespace harness::codec {
namespace {

using namespace test;

/// A stream of packets of several kinds and sizes (one with a two-byte remaining length).
std::vector<std::uint8_t> sample_stream() {
    std::vector<std::uint8_t> out;
    connect c;
    c.client_id = "framing";
    encode(c, protocol_version::v5, out);
    publish big;
    big.topic = "big";
    big.payload.assign(300, 0x5A);
    encode(big, protocol_version::v5, out);
    encode(pingreq{}, protocol_version::v5, out);
    publish small;
    small.qos = qos::at_least_once;
    small.packet_id = 9;
    small.topic = "s";
    encode(small, protocol_version::v5, out);
    encode(disconnect{}, protocol_version::v5, out);
    return out;
}

struct framed {
    std::vector<std::vector<std::uint8_t>> packets;
    std::vector<std::size_t> offsets;
};

/// Drains every whole frame currently available.
void drain(frame_reader& reader, framed& out) {
    while (true) {
        auto next = reader.next();
        ASSERT_TRUE(next) << next.error().message;
        if (!*next)
            return;
        out.packets.emplace_back((*next)->bytes.begin(), (*next)->bytes.end());
        out.offsets.push_back((*next)->offset);
    }
}

framed frame_whole(const std::vector<std::uint8_t>& stream) {
    frame_reader reader;
    framed out;
    reader.feed(stream);
    drain(reader, out);
    return out;
}

TEST(Framing, WholeStreamGivesEveryPacketWithItsOffset) {
    const auto stream = sample_stream();
    const framed whole = frame_whole(stream);
    ASSERT_EQ(whole.packets.size(), 5u);
    std::size_t offset = 0;
    for (std::size_t i = 0; i < whole.packets.size(); ++i) {
        EXPECT_EQ(whole.offsets[i], offset);
        offset += whole.packets[i].size();
    }
    EXPECT_EQ(offset, stream.size());
}

TEST(Framing, SplitAtEveryOffsetGivesTheSamePackets) {
    const auto stream = sample_stream();
    const framed whole = frame_whole(stream);
    for (std::size_t split = 0; split <= stream.size(); ++split) {
        frame_reader reader;
        framed parts;
        reader.feed(std::span(stream.data(), split));
        drain(reader, parts);
        reader.feed(std::span(stream.data() + split, stream.size() - split));
        drain(reader, parts);
        ASSERT_EQ(parts.packets, whole.packets) << "split at " << split;
        ASSERT_EQ(parts.offsets, whole.offsets) << "split at " << split;
        EXPECT_EQ(reader.buffered(), 0u);
    }
}

TEST(Framing, OneByteAtATimeGivesTheSamePackets) {
    const auto stream = sample_stream();
    frame_reader reader;
    framed parts;
    for (auto b : stream) {
        reader.feed(std::span(&b, 1));
        drain(reader, parts);
    }
    EXPECT_EQ(parts.packets, frame_whole(stream).packets);
}

TEST(Framing, MaximumPacketSizeIsCheckedBeforeTheBodyArrives) {
    frame_reader reader(1024);
    reader.feed(bytes("30 ff ff ff 7f"));  // claims a remaining length of 256 MB
    auto next = reader.next();
    ASSERT_FALSE(next);
    EXPECT_EQ(next.error().code, make_error_code(codec_errc::packet_too_large));
    EXPECT_EQ(next.error().reason(), reason_code::packet_too_large);
    EXPECT_EQ(reader.buffered(), 5u);
}

TEST(Framing, HugeClaimWithinTheLimitBuffersOnlyWhatArrived) {
    frame_reader reader;  // the protocol's own limit
    reader.feed(bytes("30 ff ff ff 7f 00 01"));
    auto next = reader.next();
    ASSERT_TRUE(next);
    EXPECT_FALSE(*next);
    EXPECT_EQ(reader.buffered(), 7u);
}

TEST(Framing, PacketExactlyAtTheLimitIsAccepted) {
    const auto packet = bytes("30 05 00 01 't' 'ab'");
    frame_reader reader(static_cast<std::uint32_t>(packet.size()));
    reader.feed(packet);
    auto next = reader.next();
    ASSERT_TRUE(next);
    ASSERT_TRUE(*next);
    EXPECT_EQ((*next)->body.size(), 5u);
}

TEST(Framing, RemainingLengthOfFiveBytesFailsAndTheReaderStaysFailed) {
    frame_reader reader;
    reader.feed(bytes("c0 80 80 80 80 01"));
    auto first = reader.next();
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().code, make_error_code(codec_errc::remaining_length_too_long));
    reader.feed(bytes("c0 00"));
    EXPECT_FALSE(reader.next());
}

TEST(Framing, NonMinimalRemainingLengthIsAcceptedBeforeV5) {
    frame_reader reader;
    reader.set_protocol(protocol_version::v3_1_1);
    reader.feed(bytes("c0 80 00"));
    auto next = reader.next();
    ASSERT_TRUE(next);
    ASSERT_TRUE(*next);
    EXPECT_EQ((*next)->body.size(), 0u);

    frame_reader strict;
    strict.feed(bytes("c0 80 00"));
    EXPECT_FALSE(strict.next());
}

TEST(Framing, DecodeBodyReportsStreamOffsets) {
    auto stream = bytes("c0 00 30 04 00 02 c3 28");
    frame_reader reader;
    reader.feed(stream);
    auto ping = reader.next();
    ASSERT_TRUE(ping && *ping);
    auto publish_frame = reader.next();
    ASSERT_TRUE(publish_frame && *publish_frame);
    auto decoded = decode_body(**publish_frame, protocol_version::v3_1_1);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().offset, 6u);
}

}  // namespace
}  // namespace harness::codec
