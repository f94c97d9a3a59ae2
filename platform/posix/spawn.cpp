#include "mproc/platform/spawn.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "mproc/platform/child_watch.hpp"
#include "mproc/platform/process_control.hpp"

namespace mproc::platform {
namespace {

std::error_code errno_code(int e) { return {e, std::generic_category()}; }

// posix_spawn's attributes and file actions, destroyed on every path out.
struct spawn_plan {
  posix_spawnattr_t attributes{};
  posix_spawn_file_actions_t actions{};
  bool have_attributes = false;
  bool have_actions = false;
  std::vector<int> temporaries;  // high copies of inherited descriptors, closed afterwards

  ~spawn_plan() {
    for (int fd : temporaries) ::close(fd);
    if (have_actions) posix_spawn_file_actions_destroy(&actions);
    if (have_attributes) posix_spawnattr_destroy(&attributes);
  }
};

// The child starts with every signal at its default action and nothing blocked, whatever the
// parent (a GUI toolkit, a runtime with its own handlers) had set: Python's spawn does the same
// for the signals it knows of, libuv's uv_spawn did it for all.
int reset_signals(posix_spawnattr_t& attributes) {
  sigset_t all;
  sigset_t none;
  sigfillset(&all);
  sigemptyset(&none);
  if (int e = posix_spawnattr_setsigdefault(&attributes, &all)) return e;
  if (int e = posix_spawnattr_setsigmask(&attributes, &none)) return e;
  return posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

// stdin/out/err are shared with the child, as in Python. One that is closed (a daemon, a GUI
// app started without a terminal) becomes /dev/null, so the child's first open() cannot land
// on descriptor 0-2 and be mistaken for a standard stream.
int give_standard_streams(posix_spawn_file_actions_t& actions) {
  for (int fd = 0; fd < 3; ++fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0) {
      if (int e = posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", O_RDWR, 0)) return e;
    } else if (flags & FD_CLOEXEC) {
      // dup2 onto itself clears close-on-exec in the child only (glibc >= 2.29, POSIX 2024).
      if (int e = posix_spawn_file_actions_adddup2(&actions, fd, fd)) return e;
    }
  }
  return 0;
}

// inherited[i] becomes descriptor 3 + i. A source that sits where an earlier target goes would
// be overwritten by that dup2 first, so such sources are copied above the target range before.
int give_inherited(spawn_plan& plan, const std::vector<native_handle>& inherited) {
  const int first_free = 3 + static_cast<int>(inherited.size());
  for (std::size_t i = 0; i < inherited.size(); ++i) {
    int source = static_cast<int>(inherited[i]);
    if (source < first_free && source != 3 + static_cast<int>(i)) {
      source = ::fcntl(source, F_DUPFD_CLOEXEC, first_free);
      if (source < 0) return errno;
      plan.temporaries.push_back(source);
    }
    if (int e = posix_spawn_file_actions_adddup2(&plan.actions, source, 3 + static_cast<int>(i))) return e;
  }
  // Nothing else crosses: not a descriptor some other part of the program left inheritable.
  return posix_spawn_file_actions_addclosefrom_np(&plan.actions, first_free);
}

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::error_code spawn_child(const spawn_options& options, spawned_child& child) noexcept {
  try {
    spawn_plan plan;
    if (int e = posix_spawnattr_init(&plan.attributes)) return errno_code(e);
    plan.have_attributes = true;
    if (int e = posix_spawn_file_actions_init(&plan.actions)) return errno_code(e);
    plan.have_actions = true;
    if (int e = reset_signals(plan.attributes)) return errno_code(e);
    if (int e = give_standard_streams(plan.actions)) return errno_code(e);
    if (int e = give_inherited(plan, options.inherited)) return errno_code(e);
    std::vector<char*> argv = pointers(options.arguments);
    std::vector<char*> envp = pointers(options.environment);
    // glibc creates the child with clone(CLONE_VM | CLONE_VFORK): no page tables are copied, so a
    // 4 GB parent starts a child as fast as a small one, and exec failures come back here.
    pid_t pid = -1;
    int e = ::posix_spawn(&pid, options.executable.c_str(), &plan.actions, &plan.attributes, argv.data(),
                          envp.data());
    if (e != 0) return errno_code(e);
    child.pid = static_cast<int>(pid);
    child.process = invalid_handle;
    return {};
  } catch (const std::bad_alloc&) {
    return errno_code(ENOMEM);
  }
}

std::error_code watch_spawned_child(uv_loop_s* loop, const spawned_child& child, std::function<void(int)> done,
                                    std::function<void()> before_reap) noexcept {
  // A child like any other here.
  return watch_forked_child(loop, child.pid, std::move(done), std::move(before_reap));
}

std::error_code signal_spawned_child(const spawned_child& child, int sig) noexcept {
  return send_signal(child.pid, sig);
}

void release_spawned_child(spawned_child&) noexcept {}

unsigned long spawn_creation_flags() noexcept { return 0; }

}  // namespace mproc::platform
