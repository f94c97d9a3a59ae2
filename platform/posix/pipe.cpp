#include "mproc/platform/pipe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <pthread.h>
#include <sys/uio.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <chrono>
#include <ctime>

#include "mproc/platform/error.hpp"

namespace mproc::platform {
namespace {

// A write to a pipe whose reader is gone raises SIGPIPE, which would kill the program; unlike
// sockets there is no MSG_NOSIGNAL. The signal is blocked for this thread during the write and
// a SIGPIPE it caused is consumed before unblocking, so the caller just sees EPIPE.
ssize_t writev_without_sigpipe(int fd, const iovec* iov, int count) {
  sigset_t pipe_only, old;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, &old);
  sigset_t pending;
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  ssize_t n = ::writev(fd, iov, count);
  int saved = errno;
  if (n < 0 && saved == EPIPE && !was_pending) {
    timespec zero{0, 0};
    while (sigtimedwait(&pipe_only, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return n;
}

}  // namespace

std::error_code make_pipe(bool duplex, pipe_pair& out) noexcept {
  int fds[2];
  if (duplex) {
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return last_error();
  } else {
    if (::pipe2(fds, O_CLOEXEC) != 0) return last_error();
  }
  out.first = fds[0];
  out.second = fds[1];
  return {};
}

std::error_code write_all2(native_handle h, const void* a, std::size_t a_size, const void* b,
                           std::size_t b_size) noexcept {
  iovec iov[2] = {{const_cast<void*>(a), a_size}, {const_cast<void*>(b), b_size}};
  iovec* next = iov;
  int count = 2;
  bool socket = true;
  while (count > 0) {
    ssize_t n;
    if (socket) {
      msghdr msg{};
      msg.msg_iov = next;
      msg.msg_iovlen = static_cast<std::size_t>(count);
      n = ::sendmsg(static_cast<int>(h), &msg, MSG_NOSIGNAL);
      if (n < 0 && errno == ENOTSOCK) {
        socket = false;
        continue;
      }
    } else {
      n = writev_without_sigpipe(static_cast<int>(h), next, count);
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_error();
    }
    auto done = static_cast<std::size_t>(n);
    while (count > 0 && done >= next->iov_len) {
      done -= next->iov_len;
      ++next;
      --count;
    }
    if (count > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + done;
      next->iov_len -= done;
    }
  }
  return {};
}

std::error_code wait_ready(const std::vector<handle_ref>& handles, int timeout_ms,
                           std::vector<std::size_t>& ready) noexcept {
  ready.clear();
  std::vector<pollfd> fds(handles.size());
  for (std::size_t i = 0; i < handles.size(); ++i)
    fds[i] = pollfd{static_cast<int>(handles[i].handle), POLLIN, 0};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    int r = ::poll(fds.data(), fds.size(), timeout_ms);
    if (r >= 0) break;
    if (errno != EINTR) return last_error();
    if (timeout_ms >= 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      timeout_ms = left.count() > 0 ? static_cast<int>(left.count()) : 0;
    }
  }
  for (std::size_t i = 0; i < fds.size(); ++i)
    if (fds[i].revents != 0) ready.push_back(i);  // POLLHUP/POLLERR: a read will not block.
  return {};
}

}  // namespace mproc::platform
