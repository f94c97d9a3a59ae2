#pragma once
// The main guard: Python's `if __name__ == '__main__':` plus `freeze_support()`.

namespace mproc {

/// Call as the first line of `main`. In a process that mproc re-executed to run a child (spawn
/// start method) or a forkserver, it runs that role and exits: it never returns there. Anywhere
/// else it returns at once.
void init(int argc, char** argv);

/// Python's `freeze_support()`: in mproc `init` already does its work; kept so ported code reads
/// the same. Does nothing.
inline void freeze_support() noexcept {}

}  // namespace mproc
