#pragma once
// Roles a program may have been launched in by something other than mproc, that optional parts
// of the library recognise in `mproc::init` (the MPI backend: a worker rank under `mpiexec`
// serves tasks and never returns to `main`). A part registers its role from a static object in
// the file a program must link to use it, so a program without that part pays nothing.
#include <string>

namespace mproc::detail {

/// Runs in `mproc::init` of a program that mproc did not re-execute; may not return.
using LaunchRole = void (*)();

/// Called before `main` (a static initializer). Roles run in the order registered.
void add_launch_role(LaunchRole role);

/// The "same build" check's words: the executable (size, modification time) and where this
/// build of the library sits in it. Equal in every copy of one build.
std::string build_fingerprint();

}  // namespace mproc::detail
