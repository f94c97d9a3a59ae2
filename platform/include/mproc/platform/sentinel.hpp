#pragma once
// The handle users wait on to learn that a child exited (Python's `Process.sentinel`).
#include "mproc/platform/native_handle.hpp"
#include "mproc/platform/spawn.hpp"

namespace mproc::platform {

/// The sentinel of a child that `spawn_child` started. POSIX: the parent's end of the child's
/// channel, which reaches EOF when the child exits. Windows: a duplicate of the process handle,
/// which is signalled when the child exits (and stays valid after `release_spawned_child`).
native_handle spawned_child_sentinel(const spawned_child& child, native_handle channel_parent) noexcept;

/// Releases what `spawned_child_sentinel` returned, if it owns anything beyond the channel.
void release_sentinel(native_handle sentinel, native_handle channel_parent) noexcept;

/// What sentinels are on this platform (descriptors on POSIX, process handles on Windows).
handle_kind sentinel_kind() noexcept;

/// Waits up to `timeout_ms` (negative: forever) for a process sentinel to be signalled (the
/// process exited); returns true if it was.
bool wait_sentinel(native_handle sentinel, int timeout_ms) noexcept;

/// Waits up to `timeout_ms` (negative: forever) for a channel end to become readable or closed;
/// returns true if it did. On a channel whose peer never writes, that means "peer gone".
bool wait_channel(native_handle channel, int timeout_ms) noexcept;

}  // namespace mproc::platform
