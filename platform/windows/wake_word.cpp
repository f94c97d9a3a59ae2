#include "mproc/platform/wake_word.hpp"

#include <windows.h>

#include <cstdio>

namespace mproc::platform {
namespace {

// "Local\mproc-word-<table>-<index>": the session's namespace, like CPython's named objects.
void event_name(std::uint64_t table, std::uint32_t index, wchar_t (&out)[64]) {
  std::swprintf(out, 64, L"Local\\mproc-word-%016llx-%u", static_cast<unsigned long long>(table),
                static_cast<unsigned>(index));
}

}  // namespace

bool wait_on_word(std::atomic<std::uint32_t>& word, std::uint32_t expected, std::uint64_t table,
                  std::uint32_t index, int timeout_ms) noexcept {
  // The event exists before the word is looked at, so a waker that changes the word after that
  // look finds the event and sets it; one that changed it before is seen by the look.
  wchar_t name[64];
  event_name(table, index, name);
  HANDLE event = ::CreateEventW(nullptr, FALSE, FALSE, name);
  ULONGLONG deadline = ::GetTickCount64() + static_cast<ULONGLONG>(timeout_ms < 0 ? 0 : timeout_ms);
  bool changed = false;
  for (;;) {
    if (word.load(std::memory_order_acquire) != expected) {
      changed = true;
      break;
    }
    DWORD wait_ms = INFINITE;
    if (timeout_ms >= 0) {
      ULONGLONG now = ::GetTickCount64();
      if (now >= deadline) break;
      wait_ms = static_cast<DWORD>(deadline - now);
    }
    if (event == nullptr) {
      ::Sleep(wait_ms == INFINITE || wait_ms > 1 ? 1 : wait_ms);  // no event: poll (never seen)
      continue;
    }
    // A set left over from an earlier sleeper of this word only costs one more look.
    ::WaitForSingleObject(event, wait_ms);
  }
  if (event != nullptr) ::CloseHandle(event);
  return changed;
}

void wake_word(std::atomic<std::uint32_t>&, std::uint64_t table, std::uint32_t index) noexcept {
  wchar_t name[64];
  event_name(table, index, name);
  HANDLE event = ::OpenEventW(EVENT_MODIFY_STATE, FALSE, name);
  if (event == nullptr) return;  // no sleeper yet: it will see the changed word
  ::SetEvent(event);
  ::CloseHandle(event);
}

}  // namespace mproc::platform
