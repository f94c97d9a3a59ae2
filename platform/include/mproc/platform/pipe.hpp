#pragma once
// The byte streams behind `Pipe()` and `Connection`, and waiting on several of them at once.
// POSIX: a socketpair (duplex) or a pipe. Windows: a named pipe pair, as CPython makes them,
// because anonymous pipes cannot be duplex.
#include <cstddef>
#include <system_error>
#include <vector>

#include "mproc/platform/native_handle.hpp"

namespace mproc::platform {

/// A handle with what it is, so it can be waited on or handed over on every platform.
struct handle_ref {
  native_handle handle = invalid_handle;
  handle_kind kind = handle_kind::descriptor;
};

struct pipe_pair {
  native_handle first = invalid_handle;   ///< duplex, or the read end when simplex
  native_handle second = invalid_handle;  ///< duplex, or the write end when simplex
  /// Where a duplex end writes through a handle of its own (POSIX: two pipes, because a
  /// socketpair's round trip takes twice a pipe's); invalid when `first`/`second` do both.
  native_handle first_write = invalid_handle;
  native_handle second_write = invalid_handle;
};

/// Makes writes to a pipe whose reader is gone fail with EPIPE instead of killing the process
/// with SIGPIPE, as CPython does at start-up: only if the program left SIGPIPE at its default.
/// Idempotent; nothing to do on Windows.
void ignore_broken_pipe_signal() noexcept;

/// A pipe that will carry large messages: enlarge its buffer where the OS allows.
void expect_large_writes(native_handle h) noexcept;

/// Creates a connected pair; all handles are close-on-exec / non-inheritable.
std::error_code make_pipe(bool duplex, pipe_pair& out) noexcept;

/// Writes `a` then `b` as one gathered write where the OS has one (a frame's header and
/// payload without copying them together). Never raises SIGPIPE.
std::error_code write_all2(native_handle h, const void* a, std::size_t a_size, const void* b,
                           std::size_t b_size) noexcept;

/// Whether the pipe or socket end `h` can be read without blocking (data waits, or the peer is
/// gone and a read reports EOF). One cheap system call: it sits on the hot path of a Pipe's
/// mailbox (connection.cpp), which checks the pipe before every message it takes.
bool readable_now(native_handle h) noexcept;

/// Waits until some of `handles` are ready: readable or at EOF (pipe and socket ends), or
/// signalled (process sentinels). `timeout_ms` < 0 waits forever. `ready` gets the indices, in
/// order; it is empty on timeout. No limit on the number of handles.
std::error_code wait_ready(const std::vector<handle_ref>& handles, int timeout_ms,
                           std::vector<std::size_t>& ready) noexcept;

}  // namespace mproc::platform
