#pragma once
// Exit notification for children created by `fork_process` (libuv only knows the ones it
// spawned itself). Linux: a pidfd polled by the loop; elsewhere: SIGCHLD plus `waitpid(pid)`
// for each watched pid (never `waitpid(-1)`, which would steal libuv's and the user's children).
#include <functional>
#include <system_error>

struct uv_loop_s;

namespace mproc::platform {

/// Starts watching forked child `pid` on `loop`; call on the loop's thread. `done(exitcode)` runs
/// once on that thread after the child has been reaped (so no zombie is left).
std::error_code watch_forked_child(uv_loop_s* loop, int pid, std::function<void(int)> done) noexcept;

}  // namespace mproc::platform
