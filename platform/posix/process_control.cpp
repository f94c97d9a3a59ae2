#include "mproc/platform/process_control.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
  #include <sys/prctl.h>
#endif

#include "mproc/platform/error.hpp"

namespace mproc::platform {

unsigned long current_thread_id() noexcept {
#if defined(__linux__)
  return static_cast<unsigned long>(::syscall(SYS_gettid));
#else
  return reinterpret_cast<unsigned long>(::pthread_self());
#endif
}

bool is_main_thread() noexcept {
#if defined(__linux__)
  return ::syscall(SYS_gettid) == ::getpid();
#else
  return ::pthread_main_np() != 0;
#endif
}

int signal_terminate() noexcept { return SIGTERM; }
int signal_kill() noexcept { return SIGKILL; }

int exitcode_from_wait_status(int status) noexcept {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return 255;  // Stopped/continued states are never passed here.
}

std::error_code send_signal(int pid, int sig) noexcept {
  if (::kill(pid, sig) != 0) return last_error();
  return {};
}

void arm_parent_death_signal(int expected_parent_pid) noexcept {
#if defined(__linux__)
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The parent may have died before prctl took effect; then nobody will send the signal.
  if (::getppid() != expected_parent_pid) ::_exit(1);
#else
  (void)expected_parent_pid;
#endif
}

void fast_exit(int code) noexcept { ::_exit(code); }

}  // namespace mproc::platform
