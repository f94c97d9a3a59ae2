#include "mproc/platform/pipe.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <pthread.h>
#include <sys/uio.h>
#include <unistd.h>

#include <csignal>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <ctime>

#include "mproc/platform/error.hpp"

namespace mproc::platform {
namespace {

std::atomic<bool> sigpipe_ignored{false};

// A write to a pipe whose reader is gone raises SIGPIPE, which would kill the program; unlike
// sockets there is no MSG_NOSIGNAL. The signal is blocked for this thread during the write and
// a SIGPIPE it caused is consumed before unblocking, so the caller just sees EPIPE.
ssize_t writev_without_sigpipe(int fd, const iovec* iov, int count) {
  if (sigpipe_ignored.load(std::memory_order_relaxed)) return ::writev(fd, iov, count);
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

void ignore_broken_pipe_signal() noexcept {
  if (sigpipe_ignored.load(std::memory_order_relaxed)) return;
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) != 0) return;
  if (current.sa_handler == SIG_DFL && (current.sa_flags & SA_SIGINFO) == 0) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    if (::sigaction(SIGPIPE, &ignore, nullptr) != 0) return;
    sigpipe_ignored.store(true);
  } else if (current.sa_handler == SIG_IGN) {
    sigpipe_ignored.store(true);
  }
}

void expect_large_writes(native_handle h) noexcept {
  // Fewer wake-ups per megabyte. Only on demand: pipe memory counts against a per-user limit
  // past which every new pipe of the user gets a tiny buffer. Failure just keeps the default.
  (void)::fcntl(static_cast<int>(h), F_SETPIPE_SZ, 1 << 20);
}

std::error_code make_pipe(bool duplex, pipe_pair& out) noexcept {
  int a[2];
  if (::pipe2(a, O_CLOEXEC) != 0) return last_error();
  if (!duplex) {
    out = {a[0], a[1], invalid_handle, invalid_handle};
    return {};
  }
  int b[2];
  if (::pipe2(b, O_CLOEXEC) != 0) {
    auto ec = last_error();
    ::close(a[0]);
    ::close(a[1]);
    return ec;
  }
  // first reads what second writes (a), second reads what first writes (b).
  out = {a[0], b[0], b[1], a[1]};
  return {};
}

std::error_code write_all2(native_handle h, const void* a, std::size_t a_size, const void* b,
                           std::size_t b_size) noexcept {
  iovec iov[2] = {{const_cast<void*>(a), a_size}, {const_cast<void*>(b), b_size}};
  iovec* next = iov;
  int count = 2;
  while (count > 0) {
    // Pipes and sockets alike; SIGPIPE is ignored or blocked for the call (see above).
    ssize_t n = writev_without_sigpipe(static_cast<int>(h), next, count);
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

bool readable_now(native_handle h) noexcept {
  pollfd fd{static_cast<int>(h), POLLIN, 0};
  int r;
  do {
    r = ::poll(&fd, 1, 0);
  } while (r < 0 && errno == EINTR);
  return r != 0;  // Ready, at EOF (POLLHUP), or an error (POLLNVAL/-1) that a read will report.
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
