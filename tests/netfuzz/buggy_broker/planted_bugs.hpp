// The three planted bugs of the buggy broker, each a named function out of line so that a stack
// trace names it (buggy::handle_server_only_packet, ...). The broker calls them only when the
// bug's flag enables it.
#pragma once

#include <cstddef>
#include <vector>

#include "harness/codec/types.hpp"

namespace buggy {

/// --crash: a packet type only a server sends came from a client. Writes through a null pointer:
/// SIGSEGV.
void handle_server_only_packet(harness::codec::packet_type type);

/// --hang: the broker stops serving anything, forever, without using CPU.
[[noreturn]] void hang_forever();

/// --leak: leaks 1 MiB (kept in `leaked`, never freed, touched so that it is resident); once
/// more than `limit_mib` MiB leaked, aborts as a process killed for its memory use would end.
void leak_memory(std::vector<void*>& leaked, std::size_t limit_mib);

}  // namespace buggy
