// Crash signatures from canned reports: AddressSanitizer (use after free, SEGV, an interceptor on
// top), UBSan runtime errors with and without a stack, LeakSanitizer, ThreadSanitizer, a plain
// signal and a plain exit; the same bug with other addresses, process ids and values gives the
// same signature, another bug a different one.
#include <gtest/gtest.h>

#include <string>

#include "harness/netfuzz/broker_supervisor.hpp"

namespace harness::netfuzz {
namespace {

broker_failure with_report(std::string report, std::optional<int> status = 1) {
    broker_failure f;
    f.exit_status = status;
    f.sanitizer_report = std::move(report);
    return f;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

/// A GCC AddressSanitizer report of a use after free; `pid` and `base` vary the numbers that
/// change between runs.
std::string use_after_free(const std::string& pid, const std::string& base) {
    const std::string report =
        R"(==PID==ERROR: AddressSanitizer: heap-use-after-free on address 0xBASE000010 at pc 0x55d4c5a1b2c3 bp 0x7ffd12345670 sp 0x7ffd12345660
READ of size 4 at 0xBASE000010 thread T0
    #0 0xBASE1b2c2 in buggy::handle_packet(std::span<unsigned char const, 18446744073709551615ul>) /src/tests/buggy/buggy_broker.cpp:42:7
    #1 0xBASE1c000 in buggy::serve(int) /src/tests/buggy/buggy_broker.cpp:88:5
    #2 0xBASE1d000 in main /src/tests/buggy/buggy_broker.cpp:120:3
    #3 0x7f0011223344 in __libc_start_call_main ../sysdeps/nptl/libc_start_call_main.h:58
    #4 0x7f0011223355 in __libc_start_main_impl ../csu/libc-start.c:360
    #5 0xBASE1a000 in _start (/build/buggy_broker+0x1234)

0xBASE000010 is located 0 bytes inside of 4-byte region
freed by thread T0 here:
    #0 0x7f00aabbccdd in operator delete(void*, unsigned long) ../../../../src/libsanitizer/asan/asan_new_delete.cpp:164
    #1 0xBASE1b100 in buggy::drop(int*) /src/tests/buggy/buggy_broker.cpp:30:3

SUMMARY: AddressSanitizer: heap-use-after-free /src/tests/buggy/buggy_broker.cpp:42:7 in buggy::handle_packet
==PID==ABORTING
)";
    return replace_all(replace_all(report, "PID", pid), "BASE", base);
}

TEST(CrashSignature, AddressSanitizerKindAndTopFramesWithoutAddresses) {
    const auto signature = crash_signature(with_report(use_after_free("12345", "55d4c5a")));
    EXPECT_EQ(signature,
              "heap-use-after-free | buggy::handle_packet buggy_broker.cpp:42 < buggy::serve "
              "buggy_broker.cpp:88 < main buggy_broker.cpp:120");
    EXPECT_EQ(signature.find("0x"), std::string::npos);
}

TEST(CrashSignature, SameBugInAnotherRunGivesTheSameSignature) {
    const auto first = crash_signature(with_report(use_after_free("12345", "55d4c5a")));
    const auto second = crash_signature(with_report(use_after_free("977", "5610aa0")));
    EXPECT_EQ(first, second);
    // Whether the exit status was known when the report was complete does not matter.
    EXPECT_EQ(first, crash_signature(with_report(use_after_free("977", "5610aa0"), {})));
}

TEST(CrashSignature, SanitizerRuntimeFramesOnTopAreSkipped) {
    const std::string report =
        "==31==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000018 at pc "
        "0x7f9d bp 0x7ffc sp 0x7ffc\n"
        "WRITE of size 8 at 0x602000000018 thread T0\n"
        "    #0 0x7f9d3b in __interceptor_memcpy "
        "../../../../src/libsanitizer/sanitizer_common/sanitizer_common_interceptors.inc:827\n"
        "    #1 0x55aa01 in codec::write_string(std::vector<unsigned char>&, "
        "std::basic_string_view<char, std::char_traits<char> >) const "
        "/src/codec/encode.cpp:201:16\n"
        "    #2 0x55aa02 in (anonymous namespace)::encode_publish(packet const&) "
        "/src/codec/encode.cpp:330:5\n"
        "    #3 0x55aa03 in codec::encode(packet const&)::{lambda(auto:1 const&)#1}::operator()"
        "(publish const&) const /src/codec/encode.cpp:400:9\n"
        "    #4 0x55aa04 in main /src/main.cpp:12:5\n"
        "SUMMARY: AddressSanitizer: heap-buffer-overflow\n";
    EXPECT_EQ(crash_signature(with_report(report)),
              "heap-buffer-overflow | codec::write_string encode.cpp:201 < "
              "(anonymous namespace)::encode_publish encode.cpp:330 < "
              "codec::encode(packet const&)::{lambda(auto:1 const&)#1}::operator() "
              "encode.cpp:400");
}

TEST(CrashSignature, AddressSanitizerSegv) {
    const std::string report =
        "==777==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc "
        "0x55e1c0ffee00 bp 0x7ffd00000000 sp 0x7ffd00000000 T0)\n"
        "==777==The signal is caused by a READ memory access.\n"
        "==777==Hint: address points to the zero page.\n"
        "    #0 0x55e1c0ffee00 in parse_header /src/p.cpp:10:12\n"
        "    #1 0x55e1c0ffef00 (/build/broker+0x4f00)\n"
        "    #2 0x7f0000001000 in __libc_start_main (/lib/x86_64-linux-gnu/libc.so.6+0x2724a) "
        "(BuildId: 0123456789abcdef)\n"
        "AddressSanitizer can not provide additional info.\n"
        "SUMMARY: AddressSanitizer: SEGV /src/p.cpp:10:12 in parse_header\n"
        "==777==ABORTING\n";
    // A frame without a symbol keeps its offset inside the module (the same in every run).
    EXPECT_EQ(crash_signature(with_report(report)),
              "SEGV on unknown address | parse_header p.cpp:10 < broker+0x4f00");
}

TEST(CrashSignature, UbsanRuntimeErrorWithoutStackUsesItsLocation) {
    const auto report = [](const std::string& a, const std::string& b) {
        return "/src/codec/varint.cpp:55:20: runtime error: signed integer overflow: " + a + " + " +
               b +
               " cannot be represented in type 'int'\n"
               "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior "
               "/src/codec/varint.cpp:55:20 in \n";
    };
    const auto signature = crash_signature(with_report(report("2147483647", "1"), {}));
    EXPECT_EQ(signature,
              "runtime error: signed integer overflow: + cannot be represented in type 'int' | "
              "varint.cpp:55");
    // Other values from the fuzzed input: the same bug.
    EXPECT_EQ(crash_signature(with_report(report("2147483000", "900"), {})), signature);
}

TEST(CrashSignature, UbsanRuntimeErrorWithStack) {
    const std::string report =
        "/src/broker/topics.cpp:77:31: runtime error: index 12 out of bounds for type "
        "'unsigned char [8]'\n"
        "    #0 0x55aa in topics::level_of(std::string_view) /src/broker/topics.cpp:77:31\n"
        "    #1 0x55ab in topics::match(filter const&, std::string_view) "
        "/src/broker/topics.cpp:120:12\n"
        "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior "
        "/src/broker/topics.cpp:77:31 in \n";
    EXPECT_EQ(crash_signature(with_report(report, {})),
              "runtime error: index out of bounds for type 'unsigned char [8]' | "
              "topics::level_of topics.cpp:77 < topics::match topics.cpp:120");
}

TEST(CrashSignature, LeakSanitizerSkipsTheAllocator) {
    const std::string report =
        "==4242==ERROR: LeakSanitizer: detected memory leaks\n"
        "\n"
        "Direct leak of 64 byte(s) in 1 object(s) allocated from:\n"
        "    #0 0x7f11 in operator new(unsigned long) "
        "../../../../src/libsanitizer/asan/asan_new_delete.cpp:95\n"
        "    #1 0x5511 in session::attach(client&) /src/session.cpp:77:18\n"
        "    #2 0x5512 in broker::on_connect(int) /src/broker.cpp:140:9\n"
        "    #3 0x5513 in main /src/main.cpp:12:5\n"
        "    #4 0x5514 in main2 /src/main.cpp:13:5\n"
        "\n"
        "Indirect leak of 16 byte(s) in 1 object(s) allocated from:\n"
        "    #0 0x7f12 in malloc (/usr/lib/x86_64-linux-gnu/libasan.so.8+0xbd2b7)\n"
        "    #1 0x5515 in other /src/other.cpp:1:1\n"
        "\n"
        "SUMMARY: AddressSanitizer: 80 byte(s) leaked in 2 allocation(s).\n";
    EXPECT_EQ(crash_signature(with_report(report, 23)),
              "detected memory leaks | session::attach session.cpp:77 < broker::on_connect "
              "broker.cpp:140 < main main.cpp:12");
}

TEST(CrashSignature, ThreadSanitizerFrames) {
    const std::string report =
        "WARNING: ThreadSanitizer: data race (pid=9876)\n"
        "  Write of size 4 at 0x7b0400000000 by thread T1:\n"
        "    #0 worker(void*) /src/w.cpp:5:9 (prog+0x1234)\n"
        "    #1 <null> <null> (libtsan.so.2+0x3f000)\n"
        "\n"
        "  Previous read of size 4 at 0x7b0400000000 by main thread:\n"
        "    #0 main /src/w.cpp:12:3 (prog+0x1300)\n"
        "SUMMARY: ThreadSanitizer: data race /src/w.cpp:5:9 in worker(void*)\n";
    EXPECT_EQ(crash_signature(with_report(report, {})), "data race | worker w.cpp:5");
}

TEST(CrashSignature, DifferentBugsDiffer) {
    const auto uaf = crash_signature(with_report(use_after_free("1", "55d4c5a")));
    auto other = use_after_free("1", "55d4c5a");
    other.replace(other.find("buggy_broker.cpp:42:7"), 21, "buggy_broker.cpp:43:7");
    EXPECT_NE(crash_signature(with_report(other)), uaf);
    auto double_free = use_after_free("1", "55d4c5a");
    double_free.replace(double_free.find("heap-use-after-free"), 19, "heap-buffer-overflow");
    EXPECT_NE(crash_signature(with_report(double_free)), uaf);
}

TEST(CrashSignature, PlainSignal) {
    broker_failure f;
    f.exit_status = 128 + 11;
    f.log_tail = "[stderr] Segmentation fault at 0x1234\n";
    EXPECT_EQ(crash_signature(f), "signal SEGV");
    f.exit_status = 128 + 6;
    EXPECT_EQ(crash_signature(f), "signal ABRT");
    f.exit_status = 128 + 9;
    EXPECT_EQ(crash_signature(f), "signal KILL");
}

TEST(CrashSignature, PlainExit) {
    broker_failure f;
    f.exit_status = 3;
    EXPECT_EQ(crash_signature(f), "exit 3");
    f.exit_status = 0;
    EXPECT_EQ(crash_signature(f), "exit 0");
    f.exit_status.reset();
    EXPECT_EQ(crash_signature(f), "no exit");
}

TEST(CrashSignature, OutputWithoutAReportIsIgnored) {
    broker_failure f;
    f.exit_status = 1;
    f.sanitizer_report = "some unrelated text 0x1234\n";
    EXPECT_EQ(crash_signature(f), "exit 1");
}

}  // namespace
}  // namespace harness::netfuzz
