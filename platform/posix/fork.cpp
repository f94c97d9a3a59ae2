#include "mproc/platform/fork.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "mproc/platform/error.hpp"

namespace mproc::platform {

bool fork_supported() noexcept { return true; }

namespace {

// In the child, a signal the parent handles must not run the parent's handler (it may touch
// state that belongs to the parent's threads); put those back to their default action.
// Ignored signals stay ignored, as after exec.
void reset_signal_handlers() noexcept {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction current {};
    if (::sigaction(sig, nullptr, &current) != 0) continue;  // Ignore EINVAL for reserved ones.
    bool has_handler = (current.sa_flags & SA_SIGINFO) ? current.sa_sigaction != nullptr
                                                       : (current.sa_handler != SIG_DFL &&
                                                          current.sa_handler != SIG_IGN);
    if (!has_handler) continue;
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigemptyset(&dfl.sa_mask);
    ::sigaction(sig, &dfl, nullptr);
  }
}

}  // namespace

int fork_process(std::error_code& ec) noexcept {
  // Buffered output would otherwise be written twice, once by each process.
  std::fflush(nullptr);
  // Block every signal so that no handler runs in the child between fork and the reset below.
  sigset_t all, previous;
  ::sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_t pid = ::fork();
  if (pid < 0) {
    ec = last_error();
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return -1;
  }
  if (pid == 0) reset_signal_handlers();
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ec.clear();
  return static_cast<int>(pid);
}

void register_fork_handlers(void (*prepare)(), void (*parent)(), void (*child)()) noexcept {
  ::pthread_atfork(prepare, parent, child);
}

}  // namespace mproc::platform
