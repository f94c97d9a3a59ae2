#include "mproc/platform/wake_word.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>

namespace mproc::platform {
namespace {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "a futex is a plain 32-bit word");

// Not FUTEX_PRIVATE_FLAG: the word is in memory mapped by several processes.
long futex(std::atomic<std::uint32_t>& word, int op, std::uint32_t value, const timespec* timeout) {
  return ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), op, value, timeout, nullptr, 0);
}

}  // namespace

bool wait_on_word(std::atomic<std::uint32_t>& word, std::uint32_t expected, std::uint64_t,
                  std::uint32_t, int timeout_ms) noexcept {
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  while (word.load(std::memory_order_acquire) == expected) {
    timespec left{};
    const timespec* limit = nullptr;
    if (timeout_ms >= 0) {
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - clock::now()).count();
      if (ns <= 0) return false;
      left.tv_sec = static_cast<time_t>(ns / 1000000000);
      left.tv_nsec = static_cast<long>(ns % 1000000000);
      limit = &left;
    }
    // Returns at once (EAGAIN) if the word changed before the kernel looked at it.
    (void)futex(word, FUTEX_WAIT, expected, limit);
  }
  return true;
}

void wake_word(std::atomic<std::uint32_t>& word, std::uint64_t, std::uint32_t) noexcept {
  (void)futex(word, FUTEX_WAKE, 1, nullptr);
}

}  // namespace mproc::platform
