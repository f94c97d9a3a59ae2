#include "os_helpers.hpp"

#include <chrono>
#include <thread>

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#else
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
extern char** environ;
#endif

namespace test::os {

#ifdef _WIN32

namespace {

std::wstring wide(const std::string& s) {
  if (s.empty()) return {};
  int n = ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), nullptr, 0);
  std::wstring w(static_cast<std::size_t>(n), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, s.data(), static_cast<int>(s.size()), w.data(), n);
  return w;
}

std::string identity_of(HANDLE h) {
  BY_HANDLE_FILE_INFORMATION info{};
  if (!::GetFileInformationByHandle(h, &info)) return {};
  return std::to_string(info.dwVolumeSerialNumber) + ":" + std::to_string(info.nFileIndexHigh) + ":" +
         std::to_string(info.nFileIndexLow);
}

}  // namespace

unsigned long no_window_flag() {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  bool wine = ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
  return wine ? 0 : CREATE_NO_WINDOW;
}

bool has_console_window() { return ::GetConsoleWindow() != nullptr; }

inheritable_file open_inheritable(const std::string& path) {
  SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
  HANDLE h = ::CreateFileW(wide(path).c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           &inherit, OPEN_EXISTING, 0, nullptr);
  if (h == INVALID_HANDLE_VALUE) return {};
  return {static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(h)), identity_of(h)};
}

void close_inheritable(const inheritable_file& file) {
  ::CloseHandle(reinterpret_cast<HANDLE>(static_cast<std::intptr_t>(file.handle)));
}

bool holds_file(std::int64_t handle, const std::string& identity) {
  std::string mine = identity_of(reinterpret_cast<HANDLE>(static_cast<std::intptr_t>(handle)));
  return !mine.empty() && mine == identity;
}

std::optional<int> run_program(const std::string& program, const std::vector<std::string>& arguments,
                               const std::string& directory, double timeout_seconds) {
  std::wstring line = L"\"" + wide(program) + L"\"";
  for (const auto& a : arguments) line += L" \"" + wide(a) + L"\"";  // the tests' arguments hold no quotes
  STARTUPINFOW startup{};
  startup.cb = sizeof startup;
  PROCESS_INFORMATION info{};
  if (!::CreateProcessW(wide(program).c_str(), line.data(), nullptr, nullptr, FALSE, 0, nullptr,
                        wide(directory).c_str(), &startup, &info))
    return -1000 - static_cast<int>(::GetLastError());
  ::CloseHandle(info.hThread);
  std::optional<int> code;
  if (::WaitForSingleObject(info.hProcess, static_cast<DWORD>(timeout_seconds * 1000)) == WAIT_OBJECT_0) {
    DWORD status = 0;
    ::GetExitCodeProcess(info.hProcess, &status);
    code = static_cast<int>(status);
  } else {
    ::TerminateProcess(info.hProcess, 137);
    ::WaitForSingleObject(info.hProcess, INFINITE);
  }
  ::CloseHandle(info.hProcess);
  return code;
}

#else

namespace {

std::string identity_of(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return {};
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
}

}  // namespace

unsigned long no_window_flag() { return 0; }

bool has_console_window() { return false; }

inheritable_file open_inheritable(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);  // deliberately without O_CLOEXEC
  if (fd < 0) return {};
  return {fd, identity_of(fd)};
}

void close_inheritable(const inheritable_file& file) { ::close(static_cast<int>(file.handle)); }

bool holds_file(std::int64_t handle, const std::string& identity) {
  int fd = static_cast<int>(handle);
  if (::fcntl(fd, F_GETFD) == -1) return false;
  std::string mine = identity_of(fd);
  return !mine.empty() && mine == identity;
}

std::optional<int> run_program(const std::string& program, const std::vector<std::string>& arguments,
                               const std::string& directory, double timeout_seconds) {
  std::vector<std::string> strings{program};
  strings.insert(strings.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1000 - rc;
  // Wait for the exit on a pidfd (readable when the child exits), bounded by the deadline.
  int status = 0;
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  pollfd p{pidfd, POLLIN, 0};
  int ready = pidfd < 0 ? -1 : ::poll(&p, 1, static_cast<int>(timeout_seconds * 1000));
  if (pidfd >= 0) ::close(pidfd);
  if (ready == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return std::nullopt;
  }
  ::waitpid(pid, &status, 0);  // Exited (or no pidfd: then the bound is the test's watchdog).
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return -WTERMSIG(status);
}

#endif

}  // namespace test::os
