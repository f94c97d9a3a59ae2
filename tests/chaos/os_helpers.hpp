#pragma once
// The few operating-system calls the chaos program needs that mproc's public API does not
// offer (killing a process we do not hold a Process for: pool workers, the manager's server,
// the forkserver), and Linux /proc and /dev/shm readings for the end-of-run checks. The only
// place of the chaos program with #ifdef.
#include <set>
#include <string>
#include <vector>

namespace chaos::os {

/// SIGKILL (POSIX) or TerminateProcess (Windows). False if there was no such process.
bool kill_pid(int pid);

/// std::system's result as an exit code: the code, or -N for a program ended by signal N.
int system_exit_code(int status);

// --- Linux /proc (empty results elsewhere) ---

/// Descriptors open in this process.
int open_descriptors();
/// Children of this process in state Z.
int zombie_children();
/// Direct children of this process whose command line's second word is `arg`
/// (the forkserver runs as `<exe> --mproc-forkserver`).
std::vector<int> children_with_arg(const std::string& arg);
/// Processes (other than this one) whose environment holds `entry` ("NAME=value").
std::vector<int> processes_with_env(const std::string& entry);
/// The names in `dir` (empty if it does not exist).
std::set<std::string> list_dir(const std::string& dir);
/// This program's executable.
std::string own_executable();

}  // namespace chaos::os
