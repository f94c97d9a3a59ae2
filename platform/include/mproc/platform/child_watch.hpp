#pragma once
// Exit notification for children created by `fork_process` (libuv only knows the ones it
// spawned itself). Linux: a pidfd polled by the loop; elsewhere: SIGCHLD plus `waitpid(pid)`
// for each watched pid (never `waitpid(-1)`, which would steal libuv's and the user's children).
#include <functional>
#include <system_error>

struct uv_loop_s;

namespace mproc::platform {

/// Starts watching forked child `pid` on `loop`; call on the loop's thread. Once the child has
/// exited, `before_reap` runs (if given): the last moment its pid surely is still its own, so
/// whoever may signal it must stop now. Then the child is reaped (no zombie is left), and then
/// `done(exitcode)` runs, on the same thread: whoever `done` wakes finds the child gone for good.
std::error_code watch_forked_child(uv_loop_s* loop, int pid, std::function<void(int)> done,
                                   std::function<void()> before_reap = {}) noexcept;

}  // namespace mproc::platform
