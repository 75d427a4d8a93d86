// Internal: decoder and encoder of each packet family, called by the dispatch in codec.cpp.
#pragma once

#include <cstdint>
#include <system_error>
#include <vector>

#include "harness/codec/packets.hpp"
#include "wire.hpp"

namespace harness::codec::detail {

bool decode_connect(byte_reader& r, connect& out);
bool decode_connack(byte_reader& r, protocol_version v, connack& out);
bool decode_publish(std::uint8_t flags, byte_reader& r, protocol_version v, publish& out);
bool decode_ack(byte_reader& r, protocol_version v, puback& out);
bool decode_ack(byte_reader& r, protocol_version v, pubrec& out);
bool decode_ack(byte_reader& r, protocol_version v, pubrel& out);
bool decode_ack(byte_reader& r, protocol_version v, pubcomp& out);
bool decode_subscribe(byte_reader& r, protocol_version v, subscribe& out);
bool decode_suback(byte_reader& r, protocol_version v, suback& out);
bool decode_unsubscribe(byte_reader& r, protocol_version v, unsubscribe& out);
bool decode_unsuback(byte_reader& r, protocol_version v, unsuback& out);
bool decode_disconnect(byte_reader& r, protocol_version v, disconnect& out);
bool decode_auth(byte_reader& r, auth& out);

std::error_code encode_connect(const connect& p, std::vector<std::uint8_t>& out);
std::error_code encode_connack(const connack& p, protocol_version v,
                               std::vector<std::uint8_t>& out);
std::error_code encode_publish(const publish& p, protocol_version v,
                               std::vector<std::uint8_t>& out);
std::error_code encode_ack(const puback& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode_ack(const pubrec& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode_ack(const pubrel& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode_ack(const pubcomp& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode_subscribe(const subscribe& p, protocol_version v,
                                 std::vector<std::uint8_t>& out);
std::error_code encode_suback(const suback& p, protocol_version v, std::vector<std::uint8_t>& out);
std::error_code encode_unsubscribe(const unsubscribe& p, protocol_version v,
                                   std::vector<std::uint8_t>& out);
std::error_code encode_unsuback(const unsuback& p, protocol_version v,
                                std::vector<std::uint8_t>& out);
std::error_code encode_disconnect(const disconnect& p, protocol_version v,
                                  std::vector<std::uint8_t>& out);
std::error_code encode_auth(const auth& p, std::vector<std::uint8_t>& out);

/// Reads a non-zero packet identifier ([MQTT-2.3.1-1], [MQTT-2.2.1-3]).
bool read_packet_id(byte_reader& r, std::uint16_t& out);

}  // namespace harness::codec::detail
