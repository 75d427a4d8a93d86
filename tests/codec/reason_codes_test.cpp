// Reason-code tables: membership, names, error categories and the 3.1.1 mapping.
#include "harness/codec/reason_codes.hpp"

#include <gtest/gtest.h>

namespace harness::codec {
namespace {

template <class Enum>
int count_valid() {
    int n = 0;
    for (int v = 0; v < 256; ++v)
        n += is_valid(static_cast<Enum>(v)) ? 1 : 0;
    return n;
}

TEST(ReasonCodes, TablesHaveTheSpecifiedSizes) {
    EXPECT_EQ(count_valid<connack_reason>(), 22);
    EXPECT_EQ(count_valid<puback_reason>(), 9);
    EXPECT_EQ(count_valid<pubrel_reason>(), 2);
    EXPECT_EQ(count_valid<suback_reason>(), 12);
    EXPECT_EQ(count_valid<unsuback_reason>(), 7);
    EXPECT_EQ(count_valid<disconnect_reason>(), 30);  // table 3-10 plus 0x8C of table 2-6
    EXPECT_EQ(count_valid<auth_reason>(), 3);
    EXPECT_EQ(count_valid<connect_return_code>(), 6);
    EXPECT_EQ(count_valid<suback_return_code>(), 4);
}

TEST(ReasonCodes, NamesFollowTheSpecificationPerTable) {
    EXPECT_EQ(to_string(disconnect_reason::normal_disconnection), "Normal disconnection");
    EXPECT_EQ(to_string(suback_reason::granted_qos_0), "Granted QoS 0");
    EXPECT_EQ(to_string(connack_reason::not_authorized), "Not authorized");
    EXPECT_EQ(to_string(reason_code::malformed_packet), "Malformed Packet");
    EXPECT_EQ(to_string(static_cast<puback_reason>(0x05)), "Unknown reason code");
    EXPECT_EQ(to_string(connect_return_code::identifier_rejected),
              "Connection Refused, identifier rejected");
}

TEST(ReasonCodes, FailureIsAtOrAbove0x80) {
    EXPECT_FALSE(is_failure(suback_reason::granted_qos_2));
    EXPECT_FALSE(is_failure(puback_reason::no_matching_subscribers));
    EXPECT_TRUE(is_failure(suback_reason::unspecified_error));
}

TEST(ReasonCodes, EachTableIsAnErrorCodeEnumWithItsOwnCategory) {
    const std::error_code ec = connack_reason::banned;
    EXPECT_TRUE(ec);
    EXPECT_EQ(ec.message(), "Banned");
    EXPECT_EQ(ec.value(), 0x8A);
    const std::error_code other = disconnect_reason::quota_exceeded;
    EXPECT_NE(&ec.category(), &other.category());
    EXPECT_FALSE(std::error_code(puback_reason::success));
}

TEST(ReasonCodes, V311ReturnCodesMapBothWays) {
    for (int v = 0; v <= 5; ++v) {
        const auto rc = static_cast<connect_return_code>(v);
        EXPECT_EQ(to_v3(from_v3(rc)), rc);
    }
    EXPECT_EQ(to_v3(connack_reason::server_busy), connect_return_code::server_unavailable);
}

}  // namespace
}  // namespace harness::codec
