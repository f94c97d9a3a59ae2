#include "core/spin_wait.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include "mproc/platform/pipe.hpp"

namespace mproc::detail {
namespace {

// A plain atomic, not a function-local static: a child forked while another thread of the
// parent was inside that static's initialisation guard would wait on the guard forever.
std::atomic<int> allowed{-1};

int allowed_pollers() {
  int n = allowed.load(std::memory_order_relaxed);
  if (n < 0) {
    int cpus = static_cast<int>(std::thread::hardware_concurrency());
    n = cpus > 1 ? cpus - 1 : 0;
    allowed.store(n, std::memory_order_relaxed);
  }
  return n;
}

std::atomic<int> pollers{0};

}  // namespace

void settle_spin_limits() noexcept { (void)allowed_pollers(); }

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
