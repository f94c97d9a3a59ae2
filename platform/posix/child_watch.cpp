#include "mproc/platform/child_watch.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <map>
#include <memory>

#include "mproc/platform/error.hpp"

namespace mproc::platform {
namespace {

struct exit_callbacks {
  std::function<void(int)> done;
  std::function<void()> before_reap;
};

// If `pid` has exited: tells `before_reap` (until the zombie is reaped its pid cannot be reused,
// so whoever it stops can never have signalled an unrelated process that got the same pid),
// reaps it, and only then reports its exitcode through `done`, so that a join() that returns
// leaves no zombie behind. Returns true once reaped.
bool report_and_reap(int pid, const exit_callbacks& callbacks) {
  siginfo_t info{};
  int r;
  do {
    r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {  // ECHILD: someone else (a user's waitpid(-1)) reaped it; its status is lost.
    if (callbacks.before_reap) callbacks.before_reap();
    callbacks.done(255);
    return true;
  }
  if (info.si_pid != pid) return false;  // Still running.
  int exitcode = info.si_code == CLD_EXITED ? info.si_status : -info.si_status;
  if (callbacks.before_reap) callbacks.before_reap();
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  callbacks.done(exitcode);
  return true;
}

int open_pidfd(int pid) {
#if defined(SYS_pidfd_open)
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

// Linux >= 5.3: the pidfd becomes readable when the child exits.
struct pidfd_watch {
  uv_poll_t poll{};
  int pidfd = -1;
  int pid = 0;
  exit_callbacks callbacks;
};

void on_pidfd_closed(uv_handle_t* handle) {
  auto* w = static_cast<pidfd_watch*>(handle->data);
  ::close(w->pidfd);
  delete w;
}

void on_pidfd_ready(uv_poll_t* handle, int, int) {
  auto* w = static_cast<pidfd_watch*>(handle->data);
  if (!report_and_reap(w->pid, w->callbacks)) return;  // Spurious wake-up; keep polling.
  uv_poll_stop(&w->poll);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), on_pidfd_closed);
}

// Fallback: one SIGCHLD watcher per loop, checking each watched pid (never waitpid(-1)).
struct sigchld_watch {
  uv_signal_t signal{};
  std::map<int, exit_callbacks> children;
};

void check_children(sigchld_watch* w) {
  for (auto it = w->children.begin(); it != w->children.end();) {
    if (report_and_reap(it->first, it->second)) it = w->children.erase(it);
    else ++it;
  }
}

void on_sigchld(uv_signal_t* handle, int) { check_children(static_cast<sigchld_watch*>(handle->data)); }

std::error_code watch_with_sigchld(uv_loop_t* loop, int pid, exit_callbacks callbacks) {
  // One watcher per loop, kept for the loop's lifetime (the loop lives as long as the process).
  static std::map<uv_loop_t*, sigchld_watch*> watchers;
  auto& w = watchers[loop];
  if (w == nullptr) {
    w = new sigchld_watch;
    w->signal.data = w;
    if (int rc = uv_signal_init(loop, &w->signal); rc != 0) return uv_error(rc);
    if (int rc = uv_signal_start(&w->signal, on_sigchld, SIGCHLD); rc != 0) return uv_error(rc);
    uv_unref(reinterpret_cast<uv_handle_t*>(&w->signal));
  }
  w->children.emplace(pid, std::move(callbacks));
  check_children(w);  // It may have exited before the watcher knew about it.
  return {};
}

}  // namespace

std::error_code watch_forked_child(uv_loop_s* loop, int pid, std::function<void(int)> done,
                                   std::function<void()> before_reap) noexcept {
  exit_callbacks callbacks{std::move(done), std::move(before_reap)};
  int pidfd = open_pidfd(pid);
  if (pidfd < 0) return watch_with_sigchld(loop, pid, std::move(callbacks));
  auto* w = new pidfd_watch;
  w->pidfd = pidfd;
  w->pid = pid;
  w->callbacks = std::move(callbacks);
  w->poll.data = w;
  if (int rc = uv_poll_init(loop, &w->poll, pidfd); rc != 0) {
    ::close(pidfd);
    delete w;
    return uv_error(rc);
  }
  uv_poll_start(&w->poll, UV_READABLE, on_pidfd_ready);
  return {};
}

}  // namespace mproc::platform
