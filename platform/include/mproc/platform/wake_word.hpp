#pragma once
// Sleeping on a 32-bit word in memory shared between processes until another process changes
// it: one sleeper per word, woken by whoever changes it (a Condition's waiter slots). Linux: a
// shared futex on the word itself. Windows has no cross-process futex (WaitOnAddress works
// within one process), so each word gets a named auto-reset event, told apart by `table` (an id
// unique to the memory block) and `index` (the word's place in it).
#include <atomic>
#include <cstdint>

namespace mproc::platform {

/// Sleeps while `word` holds `expected`, at most `timeout_ms` (< 0: no limit). Returns true
/// once the word holds another value, false on timeout. Spurious wake-ups are handled here.
bool wait_on_word(std::atomic<std::uint32_t>& word, std::uint32_t expected, std::uint64_t table,
                  std::uint32_t index, int timeout_ms) noexcept;

/// Wakes the sleeper of `word`, after the caller changed it.
void wake_word(std::atomic<std::uint32_t>& word, std::uint64_t table, std::uint32_t index) noexcept;

}  // namespace mproc::platform
