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
#include <ctime>
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

bool arm_parent_death_signal(int expected_parent_pid) noexcept {
#if defined(__linux__)
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return false;
  // The parent may have died before prctl took effect; then nobody will send the signal.
  if (::getppid() != expected_parent_pid) ::_exit(1);
  return true;
#else
  (void)expected_parent_pid;
  return false;
#endif
}

#if defined(__linux__)
namespace {

// /proc/<pid>/stat is "pid (comm) state field4 ...", and comm may hold spaces and parentheses,
// so fields are counted from the last ')'. Copies the file into `buffer` and returns where field
// `field` (1-based, as proc(5) numbers them) starts there, or nullptr (no such process, or a
// zombie or dead one when `live_only`).
const char* proc_stat_field(int pid, int field, char (&buffer)[1024], bool live_only) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
  ::close(fd);
  if (n <= 0) return nullptr;
  buffer[n] = '\0';
  const char* p = std::strrchr(buffer, ')');
  if (p == nullptr || p[1] != ' ' || p[2] == '\0') return nullptr;
  if (live_only && (p[2] == 'Z' || p[2] == 'X')) return nullptr;
  p += 2;  // field 3, the state
  for (int f = 3; f < field && p != nullptr; ++f) {
    p = std::strchr(p, ' ');
    if (p != nullptr) ++p;
  }
  return p;
}

}  // namespace
#endif

std::uint64_t process_start_stamp(int pid) noexcept {
  if (pid <= 0) return 0;
#if defined(__linux__)
  char buffer[1024];
  const char* p = proc_stat_field(pid, 22, buffer, true);  // starttime
  if (p == nullptr) return 0;
  std::uint64_t start = std::strtoull(p, nullptr, 10);
  return start == 0 ? 1 : start;
#else
  return ::kill(pid, 0) == 0 || errno == EPERM ? 1 : 0;
#endif
}

double process_cpu_seconds(int pid) noexcept {
  if (pid == 0) {
    timespec t{};
    if (::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t) != 0) return -1;
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }
#if defined(__linux__)
  char buffer[1024];
  const char* p = proc_stat_field(pid, 14, buffer, false);  // utime, then stime: clock ticks
  if (p == nullptr) return -1;
  char* end = nullptr;
  unsigned long long user = std::strtoull(p, &end, 10);
  unsigned long long system = std::strtoull(end, nullptr, 10);
  return static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
#else
  return -1;
#endif
}

void fast_exit(int code) noexcept { ::_exit(code); }

}  // namespace mproc::platform
