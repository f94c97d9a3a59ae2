#pragma once
// Who the running process is: its name, daemon flag, its place in the process tree (Python's
// `_identity`, which makes child names like `Process-1:2`) and its parent.
#include <string>
#include <vector>

#include "mproc/platform/native_handle.hpp"

namespace mproc::detail {

struct Identity {
  std::string name = "MainProcess";
  bool daemon = false;
  std::vector<int> path;        ///< empty in the main process; (1, 2) for Process-1:2
  bool is_child = false;
  int parent_pid = 0;
  std::string parent_name;
  native_handle parent_channel = invalid_handle;  ///< EOF when the parent is gone
};

/// The running process's identity. Lock-free, so that a forked child can read it whatever
/// another thread of the parent was doing at the fork.
const Identity& current_identity() noexcept;

/// Replaces the identity. The previous one is leaked on purpose: a reader may still hold it.
void set_identity(Identity identity);

/// The next child number of this process (1, 2, ...); restarts at 1 in every child.
int next_child_number() noexcept;
void reset_child_numbers() noexcept;

}  // namespace mproc::detail
