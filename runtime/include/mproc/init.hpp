#pragma once
// The main guard: Python's `if __name__ == '__main__':` plus `freeze_support()`.
#include <string>
#include <vector>

namespace mproc {

/// Call as the first line of `main`. In a process that mproc re-executed to run a child (spawn
/// start method) or a forkserver, it runs that role and exits: it never returns there. Anywhere
/// else it returns at once.
void init(int argc, char** argv);

/// `init` for programs whose entry point has no argv (`WinMain`, a library's host): it reads
/// the command line from the OS itself (Linux `/proc/self/cmdline`, Windows `GetCommandLineW`).
/// Same rules: first thing in the program, never returns in a re-executed child.
void init();

/// This program's arguments, argv[0] first, in UTF-8 (Python's `sys.argv`), as read by `init`.
/// On Windows they come from the UTF-16 command line, so they hold any character, where
/// `main`'s argv holds only those of the ANSI code page. Empty before `init`.
const std::vector<std::string>& argv();

/// Python's `freeze_support()`: in mproc `init` already does its work; kept so ported code reads
/// the same. Does nothing.
inline void freeze_support() noexcept {}

}  // namespace mproc
