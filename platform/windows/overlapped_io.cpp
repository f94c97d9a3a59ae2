#include "overlapped_io.hpp"

#include <winternl.h>

namespace mproc::platform {
namespace {

struct ThreadEvent {
  HANDLE event = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  ~ThreadEvent() {
    if (event != nullptr) ::CloseHandle(event);
  }
};

// The calling thread's manual-reset event for its own calls (created on first use, closed when
// the thread ends; one per call would be a system call more each time); nullptr if none could
// be made.
HANDLE thread_io_event() noexcept {
  thread_local ThreadEvent mine;
  return mine.event;
}

// Starts a call that takes an OVERLAPPED and waits for it. For a handle opened without
// FILE_FLAG_OVERLAPPED the call has completed when it returns, pending never.
template <class Start>
bool complete(HANDLE h, DWORD& done, Start start) {
  OVERLAPPED ov{};
  ov.hEvent = thread_io_event();
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
