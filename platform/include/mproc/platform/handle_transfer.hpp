#pragma once
// Handing OS objects (pipe ends, shared memory, locks) to a spawned or forkserver child along
// with its task. A forked child needs none of this: it inherits everything.
//
// POSIX: the channel to the child is a socketpair, so the descriptors travel with SCM_RIGHTS
// right behind the task frame. Windows: the parent duplicates each handle into the child
// process (the sentinel is the child's process handle) and writes the new values on the
// channel; nothing is made inheritable, so no other child gets them by accident.
#include <system_error>
#include <vector>

#include "mproc/platform/pipe.hpp"

namespace mproc::platform {


/// Parent side: gives the child behind `channel` (and, on Windows, the process `child_process`)
/// its own copies of `items`, in order. The parent keeps its handles.
std::error_code send_handles(native_handle channel, native_handle child_process,
                             const std::vector<handle_ref>& items) noexcept;

/// Child side: receives as many handles as `kinds` has, in order; the caller owns them.
std::error_code receive_handles(native_handle channel, const std::vector<handle_kind>& kinds,
                                std::vector<native_handle>& out) noexcept;

}  // namespace mproc::platform
