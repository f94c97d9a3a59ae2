#include "core/identity.hpp"

#include <atomic>

namespace mproc::detail {
namespace {

std::atomic<const Identity*> current{nullptr};
std::atomic<int> child_counter{0};

}  // namespace

const Identity& current_identity() noexcept {
  const Identity* id = current.load(std::memory_order_acquire);
  if (id != nullptr) return *id;
  static const Identity main_process;
  return main_process;
}

void set_identity(Identity identity) {
  current.store(new Identity(std::move(identity)), std::memory_order_release);
}

int next_child_number() noexcept { return child_counter.fetch_add(1) + 1; }

void reset_child_numbers() noexcept { child_counter.store(0); }

}  // namespace mproc::detail
