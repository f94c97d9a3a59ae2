#pragma once
// The child side of every start method: what a new process does before and after its target.
#include <functional>
#include <string>
#include <vector>

#include "mproc/detail/handle_passing.hpp"
#include "mproc/detail/task.hpp"
#include "mproc/platform/module_address.hpp"
#include "mproc/platform/native_handle.hpp"

namespace mproc::detail {

struct ProcessRecord;

/// What a spawned or forkserver child needs to run its target (the payload of the bootstrap
/// frame).
struct BootstrapMessage {
  std::string fingerprint;  ///< the parent's executable: the child must be the same binary
  platform::module_address trampoline;
  platform::module_address target;
  bool has_target = false;
  std::string args;
  std::string name;
  bool daemon = false;
  std::vector<int> path;
  int parent_pid = 0;
  std::string parent_name;
  int log_level = 0;
  std::string start_method;  ///< the parent's default, so the child's children use it too
  bool arm_death_signal = false;
  std::vector<std::uint8_t> handle_kinds;  ///< handles that follow the frame on the channel
  std::int32_t tracker_index = -1;          ///< which of them is the resource tracker's channel

  template <class Archive>
  void serialize(Archive& a) {
    a(fingerprint, trampoline.module, trampoline.offset, target.module, target.offset, has_target,
      args, name, daemon, path, parent_pid, parent_name, log_level, start_method,
      arm_death_signal, handle_kinds, tracker_index);
  }
};

/// What a spawned child runs: a trampoline, maybe a function address, serialized arguments.
struct SpawnEntry {
  trampoline_fn trampoline = nullptr;
  const void* target = nullptr;
  std::string args;
  std::vector<ExportedHandle> handles;  ///< OS handles the arguments refer to
  int tracker_index = -1;               ///< index in `handles` of the resource tracker's channel
};

/// Hands `entry.handles` to a child that was just sent its bootstrap frame on `channel`.
void send_entry_handles(const SpawnEntry& entry, native_handle channel, native_handle child_process);

/// The bootstrap frame for `record`'s child.
std::string make_bootstrap_frame(const ProcessRecord& record, const SpawnEntry& entry,
                                 bool arm_death_signal);

/// Runs a process body the way Python's `_bootstrap` does: returns 0, the `mproc::exit` code,
/// or 1 after printing an uncaught exception to stderr.
int run_process_body(const std::function<void()>& body);

/// The rest of a child's life after its body: joins its own children (Python's exit function),
/// flushes output and leaves with `code` without running the parent's exit handlers.
[[noreturn]] void exit_child(int code);

/// Reads a bootstrap frame from `channel` and runs it (spawn and forkserver children).
/// Returns the exit code.
int run_child_from_channel(native_handle channel);

/// For the forkserver: the body of each forked worker.
int run_forkserver_child(native_handle channel);

/// A daemonic forked child dies with its parent: with the OS's parent-death signal where the
/// parent thread that created it lives as long as the parent (`arm_signal`) and the OS has one,
/// else by watching its channel for EOF on a small thread.
void guard_parent_death(native_handle channel, int parent_pid, bool arm_signal);

/// The BootstrapError's message for a re-executed program whose main() forgot `mproc::init`
/// (thrown by that program's `Process::start`, and by the forkserver owner's: the same words).
extern const char* const bootstrap_help;

/// Whether `mproc::init` has run in this process.
bool initialized() noexcept;

/// Whether this process was re-executed by mproc (its role is in the environment).
bool is_reexecuted_child() noexcept;

}  // namespace mproc::detail
