#pragma once
// Cross-process mutexes and semaphores, each one OS handle that travels to other processes.
// Linux: a process-shared robust pthread mutex / sem_t in a page of its own memfd. Windows: a
// mutex / semaphore object. A mutex whose owner died while holding it is given to the next
// locker with `owner_died` set instead of deadlocking everyone (Python's locks deadlock here).
#include <system_error>

#include "mproc/platform/native_handle.hpp"

namespace mproc::platform {

/// What these objects' handles are (for handing them over).
handle_kind ipc_object_kind() noexcept;

enum class lock_status { acquired, owner_died, timed_out };

struct ipc_mutex {
  native_handle handle = invalid_handle;
  void* memory = nullptr;  // POSIX: the mapped mutex
};

std::error_code create_mutex(ipc_mutex& out) noexcept;
/// Opens a mutex received from another process; takes ownership of `handle`.
std::error_code open_mutex(native_handle handle, ipc_mutex& out) noexcept;
void close_mutex(ipc_mutex& m) noexcept;
/// Locks, waiting up to `timeout_ms` (< 0: forever). `owner_died`: the lock is held now, and
/// the previous owner died holding it.
lock_status lock_mutex(ipc_mutex& m, int timeout_ms) noexcept;
void unlock_mutex(ipc_mutex& m) noexcept;

struct ipc_semaphore {
  native_handle handle = invalid_handle;
  void* memory = nullptr;  // POSIX: the mapped sem_t
};

/// A counting semaphore starting at `initial`; `release_semaphore` fails with
/// `errc::value_too_large` rather than go above `maximum`.
std::error_code create_semaphore(unsigned initial, unsigned maximum, ipc_semaphore& out) noexcept;
inline std::error_code create_semaphore(unsigned initial, ipc_semaphore& out) noexcept {
  return create_semaphore(initial, 0x7fffffffu, out);
}
/// The current value (not on Windows, which has no such query: `not_supported`).
std::error_code semaphore_value(ipc_semaphore& s, int& value) noexcept;
std::error_code open_semaphore(native_handle handle, ipc_semaphore& out) noexcept;
void close_semaphore(ipc_semaphore& s) noexcept;
/// Decrements, waiting up to `timeout_ms` (< 0: forever); false on timeout.
bool acquire_semaphore(ipc_semaphore& s, int timeout_ms) noexcept;
std::error_code release_semaphore(ipc_semaphore& s, unsigned count = 1) noexcept;

}  // namespace mproc::platform
