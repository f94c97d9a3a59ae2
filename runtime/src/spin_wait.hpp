#pragma once
// Waiting for a reply that comes within microseconds by polling instead of sleeping. A reader
// blocked in the kernel is woken by an inter-processor interrupt, which on a virtual machine
// costs tens of microseconds, several times the request itself; polling for a short, bounded
// while avoids it. Only a few threads per process poll at once (one fewer than the CPUs), so
// pollers never starve the threads they are waiting for.
#include <chrono>

#include "mproc/connection.hpp"

namespace mproc::detail {

/// Polls `connection` until it is readable or `budget` has passed; returns whether it is
/// readable. Returns false at once when too many threads already poll, or on one CPU.
bool spin_until_readable(Connection& connection, std::chrono::nanoseconds budget);

}  // namespace mproc::detail
