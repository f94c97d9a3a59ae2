#include "core/identity.hpp"

#include <atomic>

namespace mproc::detail {
namespace {

// An identity with the one it replaced, kept reachable so that a leak checker does not report
// what is kept on purpose (a reader may still hold it).
struct Kept {
  Identity identity;
  const Kept* previous;
};

std::atomic<const Kept*> current{nullptr};
std::atomic<int> child_counter{0};

}  // namespace

const Identity& current_identity() noexcept {
  const Kept* kept = current.load(std::memory_order_acquire);
  if (kept != nullptr) return kept->identity;
  static const Identity main_process;
  return main_process;
}

void set_identity(Identity identity) {
  const Kept* previous = current.load(std::memory_order_acquire);
  // One writer at a time in practice (start-up, a worker's first lines); a lost race would only
  // leave an older identity unreachable, never a reader with a freed one.
  current.store(new Kept{std::move(identity), previous}, std::memory_order_release);
}

int next_child_number() noexcept { return child_counter.fetch_add(1) + 1; }

void reset_child_numbers() noexcept { child_counter.store(0); }

}  // namespace mproc::detail
