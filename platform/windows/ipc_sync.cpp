#include "mproc/platform/ipc_sync.hpp"

#include <windows.h>

#include <climits>

#include "mproc/platform/error.hpp"

namespace mproc::platform {
namespace {

HANDLE h(native_handle n) { return reinterpret_cast<HANDLE>(n); }
DWORD wait_time(int timeout_ms) { return timeout_ms < 0 ? INFINITE : static_cast<DWORD>(timeout_ms); }

}  // namespace

handle_kind ipc_object_kind() noexcept { return handle_kind::os_object; }

std::error_code create_mutex(ipc_mutex& out) noexcept {
  HANDLE m = ::CreateMutexW(nullptr, FALSE, nullptr);
  if (m == nullptr) return last_error();
  out = {reinterpret_cast<native_handle>(m), nullptr};
  return {};
}

std::error_code open_mutex(native_handle handle, ipc_mutex& out) noexcept {
  out = {handle, nullptr};
  return {};
}

void close_mutex(ipc_mutex& m) noexcept {
  if (m.handle != invalid_handle) ::CloseHandle(h(m.handle));
  m = {};
}

// A Windows mutex whose owner ended is "abandoned": the next wait gets it with WAIT_ABANDONED.
lock_status lock_mutex(ipc_mutex& m, int timeout_ms) noexcept {
  switch (::WaitForSingleObject(h(m.handle), wait_time(timeout_ms))) {
    case WAIT_OBJECT_0: return lock_status::acquired;
    case WAIT_ABANDONED: return lock_status::owner_died;
    default: return lock_status::timed_out;
  }
}

void unlock_mutex(ipc_mutex& m) noexcept { ::ReleaseMutex(h(m.handle)); }

std::error_code create_semaphore(unsigned initial, unsigned maximum, ipc_semaphore& out) noexcept {
  LONG limit = maximum > static_cast<unsigned>(LONG_MAX) ? LONG_MAX : static_cast<LONG>(maximum);
  HANDLE s = ::CreateSemaphoreW(nullptr, static_cast<LONG>(initial), limit, nullptr);
  if (s == nullptr) return last_error();
  out = {reinterpret_cast<native_handle>(s), nullptr};
  return {};
}

std::error_code open_semaphore(native_handle handle, ipc_semaphore& out) noexcept {
  out = {handle, nullptr};
  return {};
}

void close_semaphore(ipc_semaphore& s) noexcept {
  if (s.handle != invalid_handle) ::CloseHandle(h(s.handle));
  s = {};
}

bool acquire_semaphore(ipc_semaphore& s, int timeout_ms) noexcept {
  return ::WaitForSingleObject(h(s.handle), wait_time(timeout_ms)) == WAIT_OBJECT_0;
}

std::error_code release_semaphore(ipc_semaphore& s, unsigned count) noexcept {
  if (!::ReleaseSemaphore(h(s.handle), static_cast<LONG>(count), nullptr)) {
    if (::GetLastError() == ERROR_TOO_MANY_POSTS) return std::make_error_code(std::errc::value_too_large);
    return last_error();
  }
  return {};
}

std::error_code semaphore_value(ipc_semaphore&, int&) noexcept { return not_supported(); }

}  // namespace mproc::platform
