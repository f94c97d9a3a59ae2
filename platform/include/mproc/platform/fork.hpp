#pragma once
// The fork start method's primitive (POSIX only).
#include <system_error>

namespace mproc::platform {

/// Whether this platform can fork.
bool fork_supported() noexcept;

/// Forks the calling process. Flushes C stdio first and blocks all signals around the fork so
/// that no handler runs in the child before it has reset them; the child gets default signal
/// dispositions (for signals the parent handled) and the parent's signal mask back.
/// Returns 0 in the child, the child's pid in the parent; on error `ec` is set and -1 returned.
/// On Windows it always fails with `not_supported()`.
int fork_process(std::error_code& ec) noexcept;

/// Registers handlers that run around every fork of this process, ours or anyone's
/// (`pthread_atfork`). No-op on Windows.
void register_fork_handlers(void (*prepare)(), void (*parent)(), void (*child)()) noexcept;

}  // namespace mproc::platform
