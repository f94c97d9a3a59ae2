#include "core/spin_wait.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include "mproc/platform/pipe.hpp"

namespace mproc::detail {
namespace {

int allowed_pollers() {
  static const int allowed = [] {
    int cpus = static_cast<int>(std::thread::hardware_concurrency());
    return cpus > 1 ? cpus - 1 : 0;
  }();
  return allowed;
}

std::atomic<int> pollers{0};

}  // namespace

SpinSlot::SpinSlot() {
  if (pollers.fetch_add(1, std::memory_order_relaxed) < allowed_pollers()) {
    held_ = true;
  } else {
    pollers.fetch_sub(1, std::memory_order_relaxed);
  }
}

SpinSlot::~SpinSlot() {
  if (held_) pollers.fetch_sub(1, std::memory_order_relaxed);
}

void yield_cpu() noexcept { std::this_thread::yield(); }

bool readable_now(native_handle handle) { return platform::readable_now(handle); }

bool spin_until_readable(native_handle handle, std::chrono::nanoseconds budget) {
  // Each poll is a system call (under Wine, a round trip to its server), so the clock is
  // read after every one rather than every 64 as in spin_until.
  SpinSlot slot;
  if (!slot) return false;
  auto deadline = std::chrono::steady_clock::now() + budget;
  do {
    if (readable_now(handle)) return true;
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

}  // namespace mproc::detail
