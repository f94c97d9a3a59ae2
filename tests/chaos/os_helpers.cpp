#include "os_helpers.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#ifdef _WIN32
#include <windows.h>
#else
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

namespace fs = std::filesystem;

namespace chaos::os {

bool kill_pid(int pid) {
  if (pid <= 0) return false;
#ifdef _WIN32
  HANDLE h = ::OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(pid));
  if (h == nullptr) return false;
  BOOL ok = ::TerminateProcess(h, 137);  // 128 + 9, as a shell reports SIGKILL
  ::CloseHandle(h);
  return ok != FALSE;
#else
  return ::kill(pid, SIGKILL) == 0;
#endif
}

int system_exit_code(int status) {
#ifdef _WIN32
  return status;
#else
  if (status == -1) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
#endif
}

namespace {

int self_pid() {
#ifdef _WIN32
  return static_cast<int>(::GetCurrentProcessId());
#else
  return static_cast<int>(::getpid());
#endif
}

struct ProcStat {
  int pid = 0;
  int ppid = 0;
  char state = '?';
};

// Every process in /proc with its parent and state (the command name may hold spaces and
// parentheses: parse after the last ')').
std::vector<ProcStat> all_processes() {
  std::vector<ProcStat> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(it->path() / "stat");
    std::string line;
    if (!in || !std::getline(in, line)) continue;
    auto close = line.rfind(')');
    if (close == std::string::npos || close + 4 >= line.size()) continue;
    ProcStat s;
    s.pid = std::atoi(name.c_str());
    s.state = line[close + 2];
    s.ppid = std::atoi(line.c_str() + close + 4);
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> nul_separated(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> parts;
  std::string cur;
  for (char c : all) {
    if (c == '\0') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

}  // namespace

int open_descriptors() {
  int n = 0;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/proc/self/fd", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) ++n;
  return ec ? -1 : n - 1;  // minus the iterator's own descriptor
}

int zombie_children() {
  int me = self_pid(), zombies = 0;
  for (const auto& p : all_processes())
    if (p.ppid == me && p.state == 'Z') ++zombies;
  return zombies;
}

std::vector<int> children_with_arg(const std::string& arg) {
  std::vector<int> out;
  int me = self_pid();
  for (const auto& p : all_processes()) {
    if (p.ppid != me || p.state == 'Z') continue;
    auto args = nul_separated(fs::path("/proc") / std::to_string(p.pid) / "cmdline");
    if (args.size() >= 2 && args[1] == arg) out.push_back(p.pid);
  }
  return out;
}

std::vector<int> processes_with_env(const std::string& entry) {
  std::vector<int> out;
  int me = self_pid();
  for (const auto& p : all_processes()) {
    if (p.pid == me || p.state == 'Z') continue;
    for (const auto& e : nul_separated(fs::path("/proc") / std::to_string(p.pid) / "environ"))
      if (e == entry) {
        out.push_back(p.pid);
        break;
      }
  }
  return out;
}

std::set<std::string> list_dir(const std::string& dir) {
  std::set<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    out.insert(it->path().filename().string());
  return out;
}

std::string own_executable() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

}  // namespace chaos::os
