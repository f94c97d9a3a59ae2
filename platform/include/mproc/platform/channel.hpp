#pragma once
// A bidirectional byte channel between a parent and one child (socketpair on POSIX, a pair of
// anonymous pipes' CRT descriptors on Windows). It carries the bootstrap task to spawned
// children and doubles as the liveness signal: each side sees EOF when the other side exits.
#include <cstddef>
#include <system_error>

#include "mproc/platform/native_handle.hpp"

namespace mproc::platform {

struct channel_pair {
  native_handle parent = invalid_handle;  ///< kept by the parent, never inherited
  native_handle child = invalid_handle;   ///< handed to the child
};

/// Creates a channel; both ends are close-on-exec / non-inheritable.
std::error_code make_channel(channel_pair& out) noexcept;

/// Writes all of `data`, blocking. EPIPE/broken pipe comes back as an error, never a signal.
std::error_code write_all(native_handle h, const void* data, std::size_t size) noexcept;

/// Reads exactly `size` bytes, blocking. A clean EOF before the first byte sets `eof`
/// and returns no error; EOF after some bytes is `std::errc::connection_aborted`.
std::error_code read_exact(native_handle h, void* data, std::size_t size, bool& eof) noexcept;

/// Blocks until the peer closes its end (or the handle fails). Used for parent-death watching.
void wait_for_eof(native_handle h) noexcept;

/// Closes a handle; closing `invalid_handle` does nothing. Errors are ignored on purpose:
/// there is nothing a caller could do about a failed close.
void close_handle(native_handle h) noexcept;

/// Closes an OS object that is not a descriptor (Windows: a raw `HANDLE`; POSIX: the same as
/// `close_handle`).
void close_os_object(native_handle h) noexcept;

/// Marks a handle inheritable or not across exec / CreateProcess.
std::error_code set_inheritable(native_handle h, bool inheritable) noexcept;

/// The number a spawned child sees its inherited channel under (the CRT descriptor it was
/// mapped to by libuv's stdio container).
native_handle adopt_inherited(int child_fd) noexcept;

}  // namespace mproc::platform
