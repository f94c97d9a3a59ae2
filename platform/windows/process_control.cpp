#include "mproc/platform/process_control.hpp"

#include <windows.h>

#include <cstdlib>

#include "mproc/platform/error.hpp"

namespace mproc::platform {
namespace {

// Static initialisation runs on the main thread, before `main`.
const DWORD main_thread_id = ::GetCurrentThreadId();

}  // namespace

unsigned long current_thread_id() noexcept { return ::GetCurrentThreadId(); }

bool is_main_thread() noexcept { return ::GetCurrentThreadId() == main_thread_id; }

// POSIX numbers, as libuv's `term_signal` and CPython's exitcodes use them on Windows.
int signal_terminate() noexcept { return 15; }
int signal_kill() noexcept { return 9; }

int exitcode_from_wait_status(int status) noexcept { return status; }

std::error_code send_signal(int, int) noexcept { return not_supported(); }

// Windows has no parent-death signal; libuv puts every child in a kill-on-close Job Object.
bool arm_parent_death_signal(int) noexcept { return false; }

std::uint64_t process_start_stamp(int pid) noexcept {
  if (pid <= 0) return 0;
  HANDLE h = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, static_cast<DWORD>(pid));
  if (h == nullptr) return 0;
  std::uint64_t stamp = 0;
  FILETIME created, exited, kernel, user;
  if (::WaitForSingleObject(h, 0) == WAIT_TIMEOUT && ::GetProcessTimes(h, &created, &exited, &kernel, &user)) {
    stamp = (static_cast<std::uint64_t>(created.dwHighDateTime) << 32) | created.dwLowDateTime;
    if (stamp == 0) stamp = 1;
  }
  ::CloseHandle(h);
  return stamp;
}

namespace {

double filetime_seconds(const FILETIME& t) {
  return static_cast<double>((static_cast<std::uint64_t>(t.dwHighDateTime) << 32) | t.dwLowDateTime) * 1e-7;
}

// Wine's GetProcessTimes answers for another process with the caller's own times (seen on
// Wine 8: every process "used" what the asking one had), so there such a figure is unreadable.
bool under_wine() {
  static const bool wine =
      ::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != nullptr;
  return wine;
}

}  // namespace

double process_cpu_seconds(int pid) noexcept {
  if (pid != 0 && under_wine()) return -1;
  HANDLE h = pid == 0 ? ::GetCurrentProcess()
                      : ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
  if (h == nullptr) return -1;
  FILETIME created, exited, kernel, user;
  double seconds = ::GetProcessTimes(h, &created, &exited, &kernel, &user)
                       ? filetime_seconds(kernel) + filetime_seconds(user)
                       : -1;
  if (pid != 0) ::CloseHandle(h);
  return seconds;
}

void fast_exit(int code) noexcept { std::_Exit(code); }

}  // namespace mproc::platform
