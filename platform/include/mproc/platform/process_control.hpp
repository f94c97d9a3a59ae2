#pragma once
// Signals, wait statuses and process-level facts that libuv does not cover.
#include <cstdint>
#include <system_error>

namespace mproc::platform {

/// The calling thread's id, as logs print it.
unsigned long current_thread_id() noexcept;

/// Whether the calling thread is the process's main thread.
bool is_main_thread() noexcept;

/// Signal numbers users see in exit codes (`-SIGTERM`); Windows uses the POSIX numbers
/// because libuv and CPython report them that way there too.
int signal_terminate() noexcept;
int signal_kill() noexcept;

/// Maps a raw POSIX wait status to Python's exitcode convention: the exit value, or `-N` for a
/// child killed by signal N.
int exitcode_from_wait_status(int status) noexcept;

/// Sends signal `sig` to child `pid` (POSIX only). The caller guarantees the child has not been
/// reaped yet, so the pid cannot have been reused by an unrelated process.
std::error_code send_signal(int pid, int sig) noexcept;

/// Makes the calling process die with SIGKILL when its parent dies, where the OS offers that
/// (Linux `PR_SET_PDEATHSIG`). It fires when the parent *thread* that created us exits, so call
/// it only when that thread was the parent's main thread. If the parent is already gone
/// (`getppid() != expected_parent`), exits at once. Returns whether the OS will now do it: false
/// where unsupported (nothing was done), so the caller must watch for the parent's death itself.
bool arm_parent_death_signal(int expected_parent_pid) noexcept;

/// What tells this run of process `pid` from a later process given the same pid: its start
/// time (Linux: clock ticks after boot; Windows: its creation time). 0 if no process `pid` is
/// running (gone, or a zombie that only waits to be reaped).
std::uint64_t process_start_stamp(int pid) noexcept;

/// CPU time (user + system, in seconds) process `pid` has used so far; `pid` 0 is the calling
/// process. -1 when it cannot be read (no such process, not allowed, no /proc, or another
/// process under Wine, which answers with the caller's own times). For tests and diagnostics: a
/// process that waits should not use any.
double process_cpu_seconds(int pid) noexcept;

/// Terminates the calling process at once with `code`, without exit handlers or destructors.
[[noreturn]] void fast_exit(int code) noexcept;

}  // namespace mproc::platform
