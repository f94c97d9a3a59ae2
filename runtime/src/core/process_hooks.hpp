#pragma once
// What subsystems ask to be told about the life of the process, so that lower layers never call
// higher ones by name (the process layer knows nothing of managers):
// - fork hooks, run around every fork() (the runtime's and the user's own, through
//   pthread_atfork): a subsystem locks what a forked child must find whole, and fixes up what
//   the child inherited;
// - reference keepers: objects that hold references in other processes (manager proxies) and
//   must give them back before a child process ends, since a child ends without running the
//   destructors of what its target still held.
// Registration is cheap and may happen at any time from any thread; hooks are never removed.

namespace mproc::detail {

struct ForkHooks {
  void (*before)() noexcept = nullptr;     ///< in the parent, before fork (reverse order)
  void (*in_parent)() noexcept = nullptr;  ///< in the parent, after fork (registration order)
  void (*in_child)() noexcept = nullptr;   ///< in the child, after fork (registration order)
};

/// Adds hooks run around every fork() from now on.
void register_fork_hooks(const ForkHooks& hooks) noexcept;

struct ReferenceKeeper {
  bool (*holds_any)() noexcept = nullptr;  ///< whether references are held now (cheap)
  void (*give_back_all)() noexcept = nullptr;
};

/// Adds a keeper of references held in other processes.
void register_reference_keeper(const ReferenceKeeper& keeper) noexcept;

/// Whether any keeper holds references now.
bool holds_remote_references() noexcept;

/// Gives every reference back (a child, just before it ends).
void give_back_remote_references() noexcept;

}  // namespace mproc::detail
