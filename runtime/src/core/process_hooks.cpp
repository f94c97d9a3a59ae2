#include "core/process_hooks.hpp"

#include <atomic>
#include <cstddef>

#include "mproc/platform/fork.hpp"

namespace mproc::detail {
namespace {

// Fixed-size lists filled by atomic counters: no allocation and no lock, so a hook list can be
// read inside fork handlers and in a forked child. Each subsystem registers once; a handful
// exist.
constexpr std::size_t max_entries = 16;

ForkHooks fork_hooks[max_entries];
std::atomic<std::size_t> fork_hook_count{0};
// How many hooks `before` ran, so that the after-fork hooks match it even if a hook is added
// by another thread while this one forks.
std::size_t fork_hooks_in_use = 0;

ReferenceKeeper keepers[max_entries];
std::atomic<std::size_t> keeper_count{0};

template <class Entry>
void add(Entry (&entries)[max_entries], std::atomic<std::size_t>& count, std::atomic<std::size_t>& reserved,
         const Entry& entry) noexcept {
  std::size_t slot = reserved.fetch_add(1, std::memory_order_acq_rel);
  if (slot >= max_entries) return;  // more subsystems than the list holds: a programming error
  entries[slot] = entry;
  // Publish in order: a later slot is visible only after every earlier one.
  std::size_t expected = slot;
  while (!count.compare_exchange_weak(expected, slot + 1, std::memory_order_release)) expected = slot;
}

std::atomic<std::size_t> fork_hook_reserved{0};
std::atomic<std::size_t> keeper_reserved{0};

void before_fork() {
  fork_hooks_in_use = fork_hook_count.load(std::memory_order_acquire);
  for (std::size_t i = fork_hooks_in_use; i-- > 0;)
    if (fork_hooks[i].before != nullptr) fork_hooks[i].before();
}

void after_fork_in_parent() {
  for (std::size_t i = 0; i < fork_hooks_in_use; ++i)
    if (fork_hooks[i].in_parent != nullptr) fork_hooks[i].in_parent();
}

void after_fork_in_child() {
  for (std::size_t i = 0; i < fork_hooks_in_use; ++i)
    if (fork_hooks[i].in_child != nullptr) fork_hooks[i].in_child();
}

}  // namespace

void register_fork_hooks(const ForkHooks& hooks) noexcept {
  // The platform's handlers once per process image (forked children inherit them).
  static const bool registered = [] {
    platform::register_fork_handlers(&before_fork, &after_fork_in_parent, &after_fork_in_child);
    return true;
  }();
  (void)registered;
  add(fork_hooks, fork_hook_count, fork_hook_reserved, hooks);
}

void register_reference_keeper(const ReferenceKeeper& keeper) noexcept {
  add(keepers, keeper_count, keeper_reserved, keeper);
}

bool holds_remote_references() noexcept {
  std::size_t n = keeper_count.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i)
    if (keepers[i].holds_any()) return true;
  return false;
}

void give_back_remote_references() noexcept {
  std::size_t n = keeper_count.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i) keepers[i].give_back_all();
}

}  // namespace mproc::detail
