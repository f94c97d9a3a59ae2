#pragma once
// Windows-only: blocking reads and writes that work on every kind of pipe or socket handle,
// opened for overlapped I/O or not.
//
// mproc's own pipes are opened with FILE_FLAG_OVERLAPPED so that a waiter can park a zero-byte
// read on them and sleep in WaitForMultipleObjects beside process handles (wait_ready.cpp), the
// way CPython's `multiprocessing.connection.wait` does. Such a handle needs an OVERLAPPED on
// every call; a handle opened without the flag accepts one too and completes the call before
// returning. So every read and write here passes one, and waits for it.
#include <windows.h>

#include <cstddef>

namespace mproc::platform {

/// The calling thread's manual-reset event number `i` (created on first use, closed when the
/// thread ends), or nullptr if it could not be made. Number 0 serves the blocking calls below;
/// a thread never needs it while it waits in wait_ready, which uses 1 and up.
HANDLE thread_event(std::size_t i) noexcept;

/// ReadFile of up to `size` bytes that blocks until it completes; false with GetLastError() set
/// on failure (ERROR_BROKEN_PIPE at the peer's close).
bool read_blocking(HANDLE h, void* data, DWORD size, DWORD& done) noexcept;

/// WriteFile of up to `size` bytes that blocks until it completes.
bool write_blocking(HANDLE h, const void* data, DWORD size, DWORD& done) noexcept;

/// ConnectNamedPipe that blocks until a client connects (true also if one already had).
bool connect_pipe_blocking(HANDLE h) noexcept;

/// Whether `h` was opened for overlapped I/O (false when it cannot be told: the caller must
/// then not park a read on it, which would block).
bool opened_overlapped(HANDLE h) noexcept;

}  // namespace mproc::platform
