#include "mproc/platform/sentinel.hpp"

#include <io.h>
#include <windows.h>

#include <vector>

#include "mproc/platform/pipe.hpp"

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

// The channel is a pipe opened for overlapped I/O (channel.cpp): wait_ready sleeps until it is
// readable or closed.
bool wait_channel(native_handle h, int timeout_ms) noexcept {
  std::vector<std::size_t> ready;
  if (wait_ready({{h, handle_kind::descriptor}}, timeout_ms, ready)) return true;  // an error: gone
  return !ready.empty();
}

}  // namespace mproc::platform
