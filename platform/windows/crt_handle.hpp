#pragma once
// Windows-only helpers: mproc hands pipe and socket ends around as CRT descriptors (what
// libuv's stdio container and `_read`/`_write` use), wrapping the OS handles.
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <system_error>

#include "mproc/platform/native_handle.hpp"

namespace mproc::platform {

inline HANDLE os_handle(native_handle crt_fd) {
  return reinterpret_cast<HANDLE>(::_get_osfhandle(static_cast<int>(crt_fd)));
}

/// Wraps `h` in a new CRT descriptor; on failure `h` is closed.
inline std::error_code adopt_as_descriptor(HANDLE h, native_handle& out) {
  int fd = ::_open_osfhandle(reinterpret_cast<intptr_t>(h), _O_BINARY);
  if (fd < 0) {
    ::CloseHandle(h);
    return std::make_error_code(std::errc::too_many_files_open);
  }
  out = fd;
  return {};
}

}  // namespace mproc::platform
