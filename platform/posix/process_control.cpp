#include "mproc/platform/process_control.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

std::uint64_t process_start_stamp(int pid) noexcept {
  if (pid <= 0) return 0;
#if defined(__linux__)
  // /proc/<pid>/stat: "pid (comm) state ... starttime" with starttime the 22nd field; comm may
  // hold spaces and parentheses, so fields are counted from the last ')'.
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buffer[1024];
  ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
  ::close(fd);
  if (n <= 0) return 0;
  buffer[n] = '\0';
  const char* p = std::strrchr(buffer, ')');
  if (p == nullptr || p[1] != ' ' || p[2] == '\0' || p[2] == 'Z' || p[2] == 'X') return 0;
  p += 2;  // field 3, the state
  for (int field = 3; field < 22 && p != nullptr; ++field) {
    p = std::strchr(p, ' ');
    if (p != nullptr) ++p;
  }
  if (p == nullptr) return 0;
  std::uint64_t start = std::strtoull(p, nullptr, 10);
  return start == 0 ? 1 : start;
#else
  return ::kill(pid, 0) == 0 || errno == EPERM ? 1 : 0;
#endif
}

void fast_exit(int code) noexcept { ::_exit(code); }

}  // namespace mproc::platform
