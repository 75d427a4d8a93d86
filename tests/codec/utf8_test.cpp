// UTF-8 validation as MQTT strings need it ([MQTT-1.5.4-1], [MQTT-1.5.4-2]).
#include "harness/codec/utf8.hpp"

#include <gtest/gtest.h>

namespace harness::codec {
namespace {

bool valid(std::string_view s) {
    return static_cast<bool>(check_mqtt_utf8(s));
}

TEST(Utf8, AcceptsWellFormedTextOfEveryLength) {
    EXPECT_TRUE(valid(""));
    EXPECT_TRUE(valid("plain ascii/topic"));
    EXPECT_TRUE(valid("\xC3\xA9"));          // U+00E9
    EXPECT_TRUE(valid("\xE2\x82\xAC"));      // U+20AC
    EXPECT_TRUE(valid("\xF0\x9F\x98\x80"));  // U+1F600
    EXPECT_TRUE(valid("\xF4\x8F\xBF\xBF"));  // U+10FFFF
    EXPECT_TRUE(valid("\xEF\xBB\xBF"));      // U+FEFF stays valid ([MQTT-1.5.4-3])
    EXPECT_TRUE(valid("\xEF\xBF\xBF"));      // U+FFFF: a non-character, but well-formed
    EXPECT_TRUE(valid("\x01\x1F\x7F"));      // control characters are only SHOULD NOT
}

TEST(Utf8, RejectsNullCharacter) {
    const auto check = check_mqtt_utf8(std::string_view("ab\0", 3));
    EXPECT_EQ(check.error, codec_errc::utf8_null_character);
    EXPECT_EQ(check.offset, 2u);
}

TEST(Utf8, RejectsIllFormedSequences) {
    for (std::string_view bad : {
             std::string_view("\x80"),              // lone continuation byte
             std::string_view("\xC3"),              // truncated sequence
             std::string_view("\xC3\x28"),          // bad continuation
             std::string_view("\xC0\xAF"),          // overlong '/'
             std::string_view("\xC1\xBF"),          // overlong
             std::string_view("\xE0\x80\xAF"),      // overlong three-byte
             std::string_view("\xF0\x80\x80\xAF"),  // overlong four-byte
             std::string_view("\xED\xA0\x80"),      // U+D800 surrogate
             std::string_view("\xED\xBF\xBF"),      // U+DFFF surrogate
             std::string_view("\xF4\x90\x80\x80"),  // past U+10FFFF
             std::string_view("\xF5\x80\x80\x80"), std::string_view("\xFF"),
             std::string_view("\xE2\x82"),  // truncated three-byte
         }) {
        const auto check = check_mqtt_utf8(bad);
        EXPECT_EQ(check.error, codec_errc::invalid_utf8) << testing::PrintToString(bad);
    }
}

TEST(Utf8, ReportsTheOffsetOfTheFirstBadSequence) {
    EXPECT_EQ(check_mqtt_utf8("abc\xC3\xA9\xED\xA0\x80").offset, 5u);
}

}  // namespace
}  // namespace harness::codec
