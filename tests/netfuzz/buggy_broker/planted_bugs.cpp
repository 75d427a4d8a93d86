// The planted bugs of the buggy broker (see planted_bugs.hpp): a null pointer write, an endless
// sleep and a leak with a memory limit.
#include "planted_bugs.hpp"

#include <poll.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace buggy {

/// Planted bug (--crash): writes through a null pointer, volatile so that no optimiser drops
/// it. Exempt from UBSan's null check: the bug is a SIGSEGV, as in a release build.
[[gnu::noinline, gnu::no_sanitize("null")]] void handle_server_only_packet(
    harness::codec::packet_type type) {
    volatile int* volatile handler_state = nullptr;
    *handler_state = static_cast<int>(type);
}

/// Planted bug (--hang): waits for an event that never comes. Sleeps, so no CPU is used.
[[noreturn, gnu::noinline]] void hang_forever() {
    for (;;)
        ::poll(nullptr, 0, -1);
}

/// Planted bug (--leak): 1 MiB that is never freed, touched so that it counts in the resident
/// set; past the limit the process ends as the out-of-memory killer would end it.
[[gnu::noinline]] void leak_memory(std::vector<void*>& leaked, std::size_t limit_mib) {
    constexpr std::size_t leak_size = 1u << 20;
    void* block = std::malloc(leak_size);
    if (block == nullptr)
        std::abort();
    std::memset(block, 0xA5, leak_size);
    leaked.push_back(block);  // kept reachable: leaked, not lost
    if (leaked.size() > limit_mib) {
        std::fprintf(stderr, "buggy_broker: out of memory: %zu MiB leaked, limit %zu MiB\n",
                     leaked.size(), limit_mib);
        std::abort();
    }
}

}  // namespace buggy
