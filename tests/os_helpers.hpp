#pragma once
// The few operating-system calls the tests need that mproc's API does not offer: an
// inheritable handle to look for in a child, and running a program from a given directory.
// The only place of the test suite with #ifdef _WIN32 (as tests/chaos/os_helpers.* for the
// chaos run). Paths and arguments are UTF-8.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace test::os {

/// CREATE_NO_WINDOW on Windows (the flag a GUI app's children need), 0 elsewhere, and 0 under
/// Wine, where mproc leaves it out (see platform/windows/spawn.cpp).
unsigned long no_window_flag();

/// Whether this process has a console window (Windows; always false elsewhere).
bool has_console_window();

/// A handle a careless part of a program could leave for children to inherit: an inheritable
/// handle (Windows) or a descriptor without close-on-exec (POSIX), open on a file.
struct inheritable_file {
  std::int64_t handle = -1;  ///< its value in this process
  std::string identity;      ///< the file's identity (device and inode, volume and index)
};

/// Opens `path` (it must exist) as an inheritable handle.
inheritable_file open_inheritable(const std::string& path);
void close_inheritable(const inheritable_file& file);

/// Whether `handle` is open in this process on the file with `identity` (in a child: whether it
/// inherited the parent's handle; another object that happens to have that value does not count).
bool holds_file(std::int64_t handle, const std::string& identity);

/// Runs `program` with `arguments` (argv[1]...), with `directory` as its working directory, and
/// waits for it up to `timeout_seconds`: its exit code, or nothing if it was still running
/// (then it is killed).
std::optional<int> run_program(const std::string& program, const std::vector<std::string>& arguments,
                               const std::string& directory, double timeout_seconds);

}  // namespace test::os
