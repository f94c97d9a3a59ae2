#include "mproc/platform/sentinel.hpp"

#include <io.h>
#include <windows.h>

namespace mproc::platform {

native_handle spawned_child_sentinel(const spawned_child& child, native_handle) noexcept {
  HANDLE copy = nullptr;
  // Our own copy, so that it stays valid after `release_spawned_child` closes the child's.
  // PROCESS_DUP_HANDLE: the runtime also duplicates argument handles into the child with it.
  if (!::DuplicateHandle(::GetCurrentProcess(), reinterpret_cast<HANDLE>(child.process), ::GetCurrentProcess(),
                         &copy, SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_DUP_HANDLE, FALSE, 0))
    return invalid_handle;
  return reinterpret_cast<native_handle>(copy);
}

void release_sentinel(native_handle sentinel, native_handle) noexcept {
  if (sentinel != invalid_handle) ::CloseHandle(reinterpret_cast<HANDLE>(sentinel));
}

handle_kind sentinel_kind() noexcept { return handle_kind::os_object; }

bool wait_sentinel(native_handle sentinel, int timeout_ms) noexcept {
  DWORD limit = timeout_ms < 0 ? INFINITE : static_cast<DWORD>(timeout_ms);
  return ::WaitForSingleObject(reinterpret_cast<HANDLE>(sentinel), limit) == WAIT_OBJECT_0;
}

// Anonymous pipes cannot be waited on, so a channel end is peeked at a coarse interval.
bool wait_channel(native_handle h, int timeout_ms) noexcept {
  HANDLE pipe = reinterpret_cast<HANDLE>(::_get_osfhandle(static_cast<int>(h)));
  ULONGLONG deadline = ::GetTickCount64() + static_cast<ULONGLONG>(timeout_ms < 0 ? 0 : timeout_ms);
  for (;;) {
    DWORD available = 0;
    if (!::PeekNamedPipe(pipe, nullptr, 0, nullptr, &available, nullptr) || available > 0) return true;
    if (timeout_ms >= 0 && ::GetTickCount64() >= deadline) return false;
    ::Sleep(10);
  }
}

}  // namespace mproc::platform
