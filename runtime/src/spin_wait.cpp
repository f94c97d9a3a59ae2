#include "spin_wait.hpp"

#include <atomic>
#include <thread>

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

bool spin_until_readable(Connection& connection, std::chrono::nanoseconds budget) {
  SpinSlot slot;
  if (!slot) return false;
  auto deadline = std::chrono::steady_clock::now() + budget;
  do {
    if (connection.poll(0.0)) return true;
  } while (std::chrono::steady_clock::now() < deadline);
  return false;
}

}  // namespace mproc::detail
