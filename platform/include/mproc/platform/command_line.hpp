#pragma once
// This process's command line, read from the OS rather than from `main`'s argv, so that
// `mproc::init()` works in programs whose entry point has no argv (WinMain, a plugin's host).
#include <string>
#include <vector>

namespace mproc::platform {

/// The arguments this process was started with, argv[0] first, in UTF-8. Linux:
/// /proc/self/cmdline; Windows: GetCommandLineW split by the CRT's rules (so not limited to
/// the ANSI code page, as `main`'s argv is there). Empty if it cannot be read.
std::vector<std::string> command_line();

}  // namespace mproc::platform
