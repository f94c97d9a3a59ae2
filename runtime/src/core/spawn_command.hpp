#pragma once
// The command line, environment and inherited descriptors of a re-execution of our own binary.
// The role travels in the environment (`MPROC_ROLE`) so that `mproc::init` can tell a
// re-executed child from a user's run, and so that a child which did not call `init` can still
// be recognised (see `Process::start`'s bootstrapping check).
#include <string>
#include <vector>

#include "mproc/platform/native_handle.hpp"
#include "mproc/platform/spawn.hpp"

namespace mproc::detail {

enum class SpawnRole { child, forkserver, resource_tracker };

inline constexpr const char* role_variable = "MPROC_ROLE";
inline constexpr const char* role_child = "child";
inline constexpr const char* role_forkserver = "forkserver";
inline constexpr const char* role_resource_tracker = "resource-tracker";
/// The first descriptor a re-executed process inherits (then 4, ...), after stdin/out/err.
inline constexpr int first_inherited_fd = 3;

/// What `platform::spawn_child` needs to start our own binary in `role`; `inherited` become
/// descriptors 3, 4, ... in the new process.
platform::spawn_options spawn_command(SpawnRole role, const std::vector<native_handle>& inherited);

/// Starts our own binary in `role`, on the calling thread. Throws ProcessError saying what went
/// wrong (e.g. the executable was removed or replaced since this program started).
platform::spawned_child spawn_own_binary(SpawnRole role, const std::vector<native_handle>& inherited);

/// The path of our own executable (cached).
const std::string& own_executable();

}  // namespace mproc::detail
