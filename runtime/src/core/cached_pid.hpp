#pragma once

namespace mproc::detail {

/// This process's pid, cached (getpid is a system call, and Locks and Manager proxies check it
/// on every call). A forked child forgets the parent's value.
int cached_pid();

}  // namespace mproc::detail
