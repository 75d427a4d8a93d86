// Loopback addresses and ports for tests that talk to local peers: every test connection goes
// to 127.0.0.1 (or ::1), never elsewhere.
#pragma once

#include <netinet/in.h>

#include <cstdint>

namespace harness::test_support {

/// 127.0.0.1:port, ready for bind() or connect().
sockaddr_in loopback(std::uint16_t port);

/// A loopback port that was free a moment ago (bound to port 0, read back, released). Another
/// process may take it before the caller binds it; callers that hand it to a child retry.
/// Throws std::system_error when no socket can be bound.
std::uint16_t free_port();

/// True when something accepts TCP connections on 127.0.0.1:port right now.
bool accepts_connections(std::uint16_t port);

}  // namespace harness::test_support
