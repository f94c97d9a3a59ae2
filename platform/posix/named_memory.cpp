#include "mproc/platform/named_memory.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "mproc/platform/error.hpp"
#include "mproc/platform/spawn.hpp"


namespace mproc::platform {
namespace {

constexpr std::size_t max_name = 200;

std::string shm_path(const std::string& name) { return "/" + name; }

// ---- the tracker process: only async-signal-safe calls, no allocation (it is forked from a
// multithreaded program).

constexpr int max_tracked = 4096;
char tracked[max_tracked][max_name + 2];
bool in_use[max_tracked];
char input[1 << 16];

void forget(const char* name) {
  for (int i = 0; i < max_tracked; ++i)
    if (in_use[i] && std::strcmp(tracked[i], name) == 0) {
      in_use[i] = false;
      return;
    }
}

void remember(const char* name) {
  for (int i = 0; i < max_tracked; ++i)
    if (!in_use[i]) {
      std::strncpy(tracked[i], name, max_name + 1);
      tracked[i][max_name + 1] = '\0';
      in_use[i] = true;
      return;
    }
}

void say(const char* text) { (void)!::write(2, text, std::strlen(text)); }

[[noreturn]] void run_tracker(int input_fd) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  // Ctrl-C reaches the whole process group; the tracker must outlive the others to clean up.
  ::sigaction(SIGINT, &ignore, nullptr);
  ::sigaction(SIGTERM, &ignore, nullptr);
  ::sigaction(SIGHUP, &ignore, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  // Keep only stderr and our pipe: no other descriptor of the program may be held open by us.
  if (input_fd != 3) {
    ::dup2(input_fd, 3);
    input_fd = 3;
  }
  if (::syscall(SYS_close_range, 4u, UINT_MAX, 0u) != 0)
    for (int fd = 4; fd < 65536; ++fd) ::close(fd);
  ::close(0);
  ::close(1);
  std::size_t used = 0;
  for (;;) {
    ssize_t n = ::read(input_fd, input + used, sizeof input - used);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    used += static_cast<std::size_t>(n);
    std::size_t start = 0;
    for (std::size_t i = 0; i < used; ++i) {
      if (input[i] != '\n') continue;
      input[i] = '\0';
      const char* line = input + start;
      if (i - start > 2 && line[1] == ' ') {
        if (line[0] == 'R') remember(line + 2);
        else if (line[0] == 'U') forget(line + 2);
      }
      start = i + 1;
    }
    std::memmove(input, input + start, used - start);
    used -= start;
    if (used == sizeof input) used = 0;  // A line too long to be ours: drop it.
  }
  int leaked = 0;
  for (int i = 0; i < max_tracked; ++i) {
    if (!in_use[i]) continue;
    if (tracked[i][0] == '/') {  // a socket file (a Manager's address): no report, just gone
      ::unlink(tracked[i]);
      continue;
    }
    // "/" + the name; a tracked name is at most max_name + 1 bytes, NUL included.
    char path[max_name + 3] = "/";
    std::size_t length = ::strnlen(tracked[i], max_name + 1);
    std::memcpy(path + 1, tracked[i], length);
    path[1 + length] = '\0';
    if (::shm_unlink(path) == 0) ++leaked;
  }
  if (leaked > 0)
    say("mproc resource tracker: removed shared memory that was never unlinked (leaked by a "
        "program that ended without calling unlink())\n");
  ::_exit(0);
}

}  // namespace

bool named_regions_persist() noexcept { return true; }

std::error_code create_named_region(const std::string& name, std::size_t size, mapped_region& out) noexcept {
  if (name.empty() || name.size() > max_name || name.find('/') != std::string::npos)
    return std::make_error_code(std::errc::invalid_argument);
  int fd = ::shm_open(shm_path(name).c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return last_error();
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) {
    auto ec = last_error();
    ::close(fd);
    ::shm_unlink(shm_path(name).c_str());
    return ec;
  }
  auto ec = map_region(fd, size, out);
  if (ec) ::shm_unlink(shm_path(name).c_str());
  return ec;
}

std::error_code open_named_region(const std::string& name, mapped_region& out) noexcept {
  if (name.empty() || name.size() > max_name || name.find('/') != std::string::npos)
    return std::make_error_code(std::errc::invalid_argument);
  int fd = ::shm_open(shm_path(name).c_str(), O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) return last_error();
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size <= 0) {
    auto ec = st.st_size <= 0 ? std::make_error_code(std::errc::invalid_argument) : last_error();
    ::close(fd);
    return ec;
  }
  return map_region(fd, static_cast<std::size_t>(st.st_size), out);
}

std::error_code remove_named_region(const std::string& name) noexcept {
  if (::shm_unlink(shm_path(name).c_str()) != 0) return last_error();
  return {};
}

std::error_code start_resource_tracker(spawn_options how, native_handle& channel) noexcept {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return last_error();
  how.inherited = {fds[0]};
  spawned_child tracker;
  auto ec = spawn_child(how, tracker);
  ::close(fds[0]);
  if (ec) {
    ::close(fds[1]);
    return ec;
  }
  // Not reaped by us: it outlives this process on purpose (it ends after every writer, so after
  // us, and init reaps it then).
  channel = fds[1];
  return {};
}

void run_resource_tracker(native_handle input) noexcept { run_tracker(static_cast<int>(input)); }

std::error_code tracker_note(native_handle channel, const std::string& name, bool forget_it) noexcept {
  char line[max_name + 4];
  if (name.size() > max_name) return std::make_error_code(std::errc::invalid_argument);
  line[0] = forget_it ? 'U' : 'R';
  line[1] = ' ';
  std::memcpy(line + 2, name.data(), name.size());
  line[2 + name.size()] = '\n';
  // Shorter than PIPE_BUF: one write, never interleaved with another process's line.
  ssize_t n;
  do {
    n = ::write(static_cast<int>(channel), line, name.size() + 3);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return last_error();
  return {};
}

}  // namespace mproc::platform
