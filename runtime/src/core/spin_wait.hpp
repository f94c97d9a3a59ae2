#pragma once
// Waiting for a reply that comes within microseconds by polling instead of sleeping. A reader
// blocked in the kernel is woken by an inter-processor interrupt, which on a virtual machine
// costs tens of microseconds, several times the request itself; polling for a short, bounded
// while avoids it. Only a few threads per process poll at once (one fewer than the CPUs), so
// pollers never starve the threads they are waiting for.
#include <chrono>

#include "mproc/platform/native_handle.hpp"

namespace mproc::detail {

/// The right to poll: held by at most (CPUs - 1) threads of a process at once, none on one CPU.
class SpinSlot {
 public:
  SpinSlot();
  ~SpinSlot();
  SpinSlot(const SpinSlot&) = delete;
  SpinSlot& operator=(const SpinSlot&) = delete;
  explicit operator bool() const noexcept { return held_; }

 private:
  bool held_ = false;
};

/// Reads the CPU count now, if not read yet, so that forked children inherit it instead of each
/// reading it again (a file read, and its pages of code faulted in, in every child).
void settle_spin_limits() noexcept;

/// Lets another thread run on this CPU (the one being waited for, when CPUs are oversubscribed).
void yield_cpu() noexcept;

/// Polls `ready()` until it is true or `budget` has passed (at once without a SpinSlot). After
/// the first microseconds it yields between polls, so that a waited-for thread that shares
/// this CPU still gets to run.
template <class Ready>
bool spin_until(Ready ready, std::chrono::nanoseconds budget) {
  SpinSlot slot;
  if (!slot) return ready();
  auto start = std::chrono::steady_clock::now();
  for (unsigned n = 1; !ready(); ++n) {
    if (n % 64 != 0) continue;
    auto spent = std::chrono::steady_clock::now() - start;
    if (spent >= budget) return false;
    if (spent > std::chrono::microseconds(5)) yield_cpu();
  }
  return true;
}

/// How long a receiver polls before sleeping, adapted to what polling achieved: the full
/// budget while messages come in time, halving after each miss (down to a small probe), so a
/// peer that is slow, or starved of CPU, soon stops costing a CPU spent polling.
class SpinBudget {
 public:
  explicit SpinBudget(std::chrono::nanoseconds maximum) : maximum_(maximum), current_(maximum) {}
  std::chrono::nanoseconds current() const noexcept { return current_; }
  void hit() noexcept { current_ = maximum_; }
  void miss() noexcept {
    current_ /= 2;
    if (current_ < std::chrono::microseconds(2)) current_ = std::chrono::microseconds(2);
  }

 private:
  std::chrono::nanoseconds maximum_;
  std::chrono::nanoseconds current_;
};

/// Whether the descriptor `handle` has something to read (or is at EOF), without waiting.
bool readable_now(native_handle handle);

/// Polls the descriptor `handle` until it is readable or `budget` has passed; returns whether
/// it is.
bool spin_until_readable(native_handle handle, std::chrono::nanoseconds budget);

}  // namespace mproc::detail
