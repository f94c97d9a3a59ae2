#include "mproc/platform/channel.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "mproc/platform/error.hpp"

namespace mproc::platform {

std::error_code make_channel(channel_pair& out) noexcept {
  int fds[2];
  // A socketpair rather than a pipe: one descriptor per side carries both directions, and
  // `send(MSG_NOSIGNAL)` lets us write to a dead peer without a SIGPIPE.
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return last_error();
  out.parent = fds[0];
  out.child = fds[1];
  return {};
}

std::error_code write_all(native_handle h, const void* data, std::size_t size) noexcept {
  auto* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::send(static_cast<int>(h), p, size, MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(static_cast<int>(h), p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

std::error_code read_exact(native_handle h, void* data, std::size_t size, bool& eof) noexcept {
  eof = false;
  auto* p = static_cast<char*>(data);
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(static_cast<int>(h), p + got, size - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    if (n == 0) {
      if (got == 0) {
        eof = true;
        return {};
      }
      return std::make_error_code(std::errc::connection_aborted);
    }
    got += static_cast<std::size_t>(n);
  }
  return {};
}

void wait_for_eof(native_handle h) noexcept {
  char buf[256];
  for (;;) {
    ssize_t n = ::read(static_cast<int>(h), buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EINTR)) return;
  }
}

void close_handle(native_handle h) noexcept {
  if (h >= 0) ::close(static_cast<int>(h));  // Ignore errors: EINTR still closed it on Linux.
}

void close_os_object(native_handle h) noexcept { close_handle(h); }

std::error_code set_inheritable(native_handle h, bool inheritable) noexcept {
  int flags = ::fcntl(static_cast<int>(h), F_GETFD);
  if (flags < 0) return last_error();
  flags = inheritable ? (flags & ~FD_CLOEXEC) : (flags | FD_CLOEXEC);
  if (::fcntl(static_cast<int>(h), F_SETFD, flags) != 0) return last_error();
  return {};
}

native_handle adopt_inherited(int child_fd) noexcept {
  // Keep it away from anything the child execs later.
  set_inheritable(child_fd, false);
  return child_fd;
}

}  // namespace mproc::platform
