#pragma once
// The command line, environment and inherited descriptors of a re-execution of our own binary,
// as libuv's `uv_spawn` takes them. The role travels in the environment (`MPROC_ROLE`) so that
// `mproc::init` can tell a re-executed child from a user's run, and so that a child which did
// not call `init` can still be recognised (see `Process::start`'s bootstrapping check).
#include <uv.h>

#include <string>
#include <vector>

#include "mproc/platform/native_handle.hpp"

namespace mproc::detail {

enum class SpawnRole { child, forkserver };

inline constexpr const char* role_variable = "MPROC_ROLE";
inline constexpr const char* role_child = "child";
inline constexpr const char* role_forkserver = "forkserver";
/// The first descriptor a re-executed process inherits (then 4, ...), after stdin/out/err.
inline constexpr int first_inherited_fd = 3;

class SpawnCommand {
 public:
  /// `inherited` are mapped to descriptors 3, 4, ... in the new process.
  SpawnCommand(SpawnRole role, const std::vector<native_handle>& inherited);
  SpawnCommand(const SpawnCommand&) = delete;
  SpawnCommand& operator=(const SpawnCommand&) = delete;

  /// Options for `uv_spawn`, valid while this object lives.
  const uv_process_options_t* options(uv_exit_cb on_exit);

 private:
  std::string file_;
  std::vector<std::string> strings_;
  std::vector<char*> args_;
  std::vector<char*> env_;
  std::vector<uv_stdio_container_t> stdio_;
  uv_process_options_t options_{};
};

/// The path of our own executable (cached).
const std::string& own_executable();

}  // namespace mproc::detail
