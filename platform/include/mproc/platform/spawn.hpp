#pragma once
// Starting a fresh program (a re-execution of our own binary: spawned children, the forkserver)
// without copying this process. Linux: glibc's `posix_spawn` (clone(CLONE_VM | CLONE_VFORK) +
// exec, so the cost does not grow with the parent's memory). Windows: `CreateProcessW` with an
// explicit handle list, no console window, a Unicode environment.
//
// The child gets stdin/out/err (those that are valid; a missing one becomes the null device) and
// `inherited`, as descriptors 3, 4, ... (Windows: CRT descriptors, found by
// `platform::adopt_inherited`). Nothing else: not a descriptor this process forgot to mark
// close-on-exec, not an inheritable handle some other part of a desktop app opened.
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include "mproc/platform/native_handle.hpp"

struct uv_loop_s;

namespace mproc::platform {

struct spawn_options {
  std::string executable;                // UTF-8
  std::vector<std::string> arguments;    // UTF-8; arguments[0] is what the child sees as argv[0]
  std::vector<std::string> environment;  // the child's whole environment, "NAME=value", UTF-8
  std::vector<native_handle> inherited;  // channel ends, given to the child as 3, 4, ...
};

/// A started child. `process` is the Windows process handle (owned; `release_spawned_child`
/// closes it); on POSIX it stays `invalid_handle`: the pid is enough.
struct spawned_child {
  int pid = -1;
  native_handle process = invalid_handle;
};

/// Starts the program; thread-safe, runs on the calling thread. An executable that cannot be run
/// (gone, not executable, a path that cannot be converted) is an error here, and then nothing
/// was started.
std::error_code spawn_child(const spawn_options& options, spawned_child& child) noexcept;

/// Watches `child` on `loop` (call on the loop's thread): once it exited, `before_reap` (if
/// given) runs, the last moment `signal_spawned_child` is surely safe; then the child is reaped
/// (no zombie left) and `done(exitcode)` runs, once, on that thread. Exit codes follow Python: the
/// exit value, or -N for a child ended by signal N (Windows: by `signal_spawned_child(N)`).
std::error_code watch_spawned_child(uv_loop_s* loop, const spawned_child& child, std::function<void(int)> done,
                                    std::function<void()> before_reap = {}) noexcept;

/// Sends `sig` (`signal_terminate()` or `signal_kill()`; POSIX: any signal) to a child that
/// `watch_spawned_child` has not reported yet (so its pid cannot have been reused).
std::error_code signal_spawned_child(const spawned_child& child, int sig) noexcept;

/// Closes what `child` owns (Windows: the process handle). The child itself is not touched.
void release_spawned_child(spawned_child& child) noexcept;

/// The creation flags `spawn_child` passes to `CreateProcessW` (0 on POSIX): tested, so that a
/// GUI app's children are known to get no console window.
unsigned long spawn_creation_flags() noexcept;

}  // namespace mproc::platform
