#include "mproc/platform/channel.hpp"

#include <io.h>
#include <uv.h>
#include <windows.h>

#include "crt_handle.hpp"
#include "overlapped_io.hpp"
#include "mproc/platform/error.hpp"

namespace mproc::platform {
// On Windows the channel is one anonymous pipe from parent to child: the child only needs to
// receive its task, and sees EOF when the parent is gone. The child's exit is observed through
// its process handle instead of the channel. Both ends are CRT descriptors so that libuv's
// stdio container can map the child's end to descriptor 3 in the child. Both are opened for
// overlapped I/O (UV_NONBLOCK_PIPE), so that the child can wait for its parent's end without
// polling (wait_ready.cpp); reads and writes go through overlapped_io.hpp.
std::error_code make_channel(channel_pair& out) noexcept {
  uv_file fds[2];
  if (int rc = uv_pipe(fds, UV_NONBLOCK_PIPE, UV_NONBLOCK_PIPE); rc != 0) return uv_error(rc);
  out.child = fds[0];   // read end
  out.parent = fds[1];  // write end
  return {};
}

std::error_code write_all(native_handle h, const void* data, std::size_t size) noexcept {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    DWORD chunk = size > 0x10000000 ? 0x10000000 : static_cast<DWORD>(size);
    DWORD written = 0;
    if (!write_blocking(os_handle(h), p, chunk, written)) return last_error();
    p += written;
    size -= written;
  }
  return {};
}

std::error_code read_exact(native_handle h, void* data, std::size_t size, bool& eof) noexcept {
  eof = false;
  auto* p = static_cast<char*>(data);
  std::size_t got = 0;
  while (got < size) {
    DWORD chunk = (size - got) > 0x10000000 ? 0x10000000 : static_cast<DWORD>(size - got);
    DWORD n = 0;
    if (!read_blocking(os_handle(h), p + got, chunk, n)) {
      DWORD err = ::GetLastError();
      if (err != ERROR_BROKEN_PIPE && err != ERROR_HANDLE_EOF) return last_error();
      n = 0;
    }
    if (n == 0) {
      if (got == 0) {
        eof = true;
        return {};
      }
      return std::make_error_code(std::errc::connection_aborted);
    }
    got += n;
  }
  return {};
}

void wait_for_eof(native_handle h) noexcept {
  char buf[256];
  DWORD n = 0;
  while (read_blocking(os_handle(h), buf, sizeof buf, n) && n > 0) {
  }
}

void close_handle(native_handle h) noexcept {
  if (h >= 0) ::_close(static_cast<int>(h));  // Ignore errors: nothing to do about them.
}

void close_os_object(native_handle h) noexcept {
  if (h != invalid_handle && h != 0) ::CloseHandle(reinterpret_cast<HANDLE>(h));
}

std::error_code set_inheritable(native_handle h, bool inheritable) noexcept {
  if (!::SetHandleInformation(os_handle(h), HANDLE_FLAG_INHERIT, inheritable ? HANDLE_FLAG_INHERIT : 0))
    return last_error();
  return {};
}

native_handle adopt_inherited(int child_fd) noexcept {
  set_inheritable(child_fd, false);  // Keep it from grandchildren.
  return child_fd;
}

}  // namespace mproc::platform
