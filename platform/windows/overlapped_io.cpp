#include "overlapped_io.hpp"

#include <winternl.h>

#include <new>
#include <vector>

namespace mproc::platform {
namespace {

// Per-thread events live in a fiber-local slot whose callback closes them when the thread ends.
// Not a C++ thread_local with a destructor: a chaos run under Wine crashed inside such a
// destructor at a thread's exit, reading a freed vector (mingw-w64's emulated TLS; the exact
// order of events was not pinned down). The slot's callback does not depend on that machinery.
struct ThreadEvents {
  std::vector<HANDLE> events;
};

void WINAPI close_thread_events(void* data) {
  auto* mine = static_cast<ThreadEvents*>(data);
  if (mine == nullptr) return;
  for (HANDLE e : mine->events) ::CloseHandle(e);
  delete mine;
}

DWORD events_slot() {
  static const DWORD slot = ::FlsAlloc(close_thread_events);
  return slot;
}

// Starts a call that takes an OVERLAPPED and waits for it. For a handle opened without
// FILE_FLAG_OVERLAPPED the call has completed when it returns, pending never.
template <class Start>
bool complete(HANDLE h, DWORD& done, Start start) {
  OVERLAPPED ov{};
  ov.hEvent = thread_event(0);
  if (ov.hEvent == nullptr) return false;
  done = 0;  // (the call itself resets the event when it starts)
  if (start(&ov)) return ::GetOverlappedResult(h, &ov, &done, FALSE) != FALSE;
  if (::GetLastError() != ERROR_IO_PENDING) return false;
  return ::GetOverlappedResult(h, &ov, &done, TRUE) != FALSE;
}

// NtQueryInformationFile's FileModeInformation: not in every SDK's winternl.h (MSVC's lacks
// it), so declared here.
constexpr int file_mode_information = 16;
constexpr ULONG synchronous_modes = 0x10 | 0x20;  // FILE_SYNCHRONOUS_IO_ALERT | _NONALERT
using query_file = LONG(NTAPI*)(HANDLE, IO_STATUS_BLOCK*, void*, ULONG, int);

query_file nt_query_information_file() {
  static const auto f = reinterpret_cast<query_file>(reinterpret_cast<void*>(
      ::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "NtQueryInformationFile")));
  return f;
}

}  // namespace

HANDLE thread_event(std::size_t i) noexcept {
  DWORD slot = events_slot();
  if (slot == FLS_OUT_OF_INDEXES) return nullptr;
  auto* mine = static_cast<ThreadEvents*>(::FlsGetValue(slot));
  if (mine == nullptr) {
    mine = new (std::nothrow) ThreadEvents;
    if (mine == nullptr) return nullptr;
    if (!::FlsSetValue(slot, mine)) {
      delete mine;
      return nullptr;
    }
  }
  try {
    while (mine->events.size() <= i) {
      HANDLE e = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
      if (e == nullptr) return nullptr;
      mine->events.reserve(i + 1);  // so that push_back cannot throw with `e` unowned
      mine->events.push_back(e);
    }
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
  return mine->events[i];
}

bool read_blocking(HANDLE h, void* data, DWORD size, DWORD& done) noexcept {
  return complete(h, done, [&](OVERLAPPED* ov) { return ::ReadFile(h, data, size, nullptr, ov); });
}

bool write_blocking(HANDLE h, const void* data, DWORD size, DWORD& done) noexcept {
  return complete(h, done, [&](OVERLAPPED* ov) { return ::WriteFile(h, data, size, nullptr, ov); });
}

bool connect_pipe_blocking(HANDLE h) noexcept {
  DWORD unused = 0;
  if (complete(h, unused, [&](OVERLAPPED* ov) { return ::ConnectNamedPipe(h, ov); })) return true;
  return ::GetLastError() == ERROR_PIPE_CONNECTED;
}

bool opened_overlapped(HANDLE h) noexcept {
  query_file query = nt_query_information_file();
  if (query == nullptr) return false;
  IO_STATUS_BLOCK status{};
  ULONG mode = 0;
  if (query(h, &status, &mode, sizeof mode, file_mode_information) < 0) return false;
  return (mode & synchronous_modes) == 0;
}

}  // namespace mproc::platform
