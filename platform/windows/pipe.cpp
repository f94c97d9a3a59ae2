#include "mproc/platform/pipe.hpp"

#include <winsock2.h>
#include <windows.h>
#include <fcntl.h>
#include <io.h>

#include <atomic>
#include <string>

#include "mproc/platform/channel.hpp"
#include "crt_handle.hpp"
#include "mproc/platform/error.hpp"
#include "utf.hpp"

namespace mproc::platform {
namespace {

constexpr DWORD pipe_buffer = 64 * 1024;

// Ready to read without blocking: data waiting, or the peer gone (the read reports EOF).
// Pipes are peeked at; TCP sockets (from Listener/Client) asked with a zero-time select.
bool descriptor_ready(native_handle fd) {
  HANDLE h = os_handle(fd);
  DWORD available = 0;
  if (::PeekNamedPipe(h, nullptr, 0, nullptr, &available, nullptr)) return available > 0;
  if (::GetLastError() == ERROR_BROKEN_PIPE) return true;
  auto s = reinterpret_cast<SOCKET>(h);
  fd_set readable;
  FD_ZERO(&readable);
  FD_SET(s, &readable);
  timeval zero{0, 0};
  int r = ::select(0, &readable, nullptr, nullptr, &zero);
  return r != 0;  // Ready, or an error that a read will report.
}

}  // namespace

void ignore_broken_pipe_signal() noexcept {}

void expect_large_writes(native_handle) noexcept {}  // Named pipes have their size from creation.

std::error_code make_pipe(bool duplex, pipe_pair& out) noexcept {
  static std::atomic<unsigned> counter{0};
  std::string name = "\\\\.\\pipe\\mproc-" + std::to_string(::GetCurrentProcessId()) + "-" +
                     std::to_string(counter++) + "-" + std::to_string(::GetTickCount64());
  DWORD open_mode = (duplex ? PIPE_ACCESS_DUPLEX : PIPE_ACCESS_INBOUND) | FILE_FLAG_FIRST_PIPE_INSTANCE;
  HANDLE server = ::CreateNamedPipeW(to_wide(name).c_str(), open_mode,
                                     PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT |
                                         PIPE_REJECT_REMOTE_CLIENTS,
                                     1, pipe_buffer, pipe_buffer, 0, nullptr);
  if (server == INVALID_HANDLE_VALUE) return last_error();
  DWORD access = duplex ? (GENERIC_READ | GENERIC_WRITE) : (GENERIC_WRITE | FILE_READ_ATTRIBUTES);
  HANDLE client = ::CreateFileW(to_wide(name).c_str(), access, 0, nullptr, OPEN_EXISTING, 0, nullptr);
  if (client == INVALID_HANDLE_VALUE) {
    auto ec = last_error();
    ::CloseHandle(server);
    return ec;
  }
  if (!::ConnectNamedPipe(server, nullptr) && ::GetLastError() != ERROR_PIPE_CONNECTED) {
    auto ec = last_error();
    ::CloseHandle(server);
    ::CloseHandle(client);
    return ec;
  }
  if (auto ec = adopt_as_descriptor(server, out.first)) {
    ::CloseHandle(client);
    return ec;
  }
  return adopt_as_descriptor(client, out.second);
}

std::error_code write_all2(native_handle h, const void* a, std::size_t a_size, const void* b,
                           std::size_t b_size) noexcept {
  if (auto ec = write_all(h, a, a_size)) return ec;
  return write_all(h, b, b_size);
}

bool readable_now(native_handle h) noexcept { return descriptor_ready(h); }

// Pipes cannot join WaitForMultipleObjects without overlapped I/O on every end, so this peeks at
// each one and sleeps a little between rounds; no 64-handle limit either way.
std::error_code wait_ready(const std::vector<handle_ref>& handles, int timeout_ms,
                           std::vector<std::size_t>& ready) noexcept {
  ready.clear();
  ULONGLONG deadline = ::GetTickCount64() + static_cast<ULONGLONG>(timeout_ms < 0 ? 0 : timeout_ms);
  DWORD pause = 0;
  for (;;) {
    for (std::size_t i = 0; i < handles.size(); ++i) {
      bool is_ready = handles[i].kind == handle_kind::descriptor
                          ? descriptor_ready(handles[i].handle)
                          : ::WaitForSingleObject(reinterpret_cast<HANDLE>(handles[i].handle), 0) ==
                                WAIT_OBJECT_0;
      if (is_ready) ready.push_back(i);
    }
    if (!ready.empty()) return {};
    if (timeout_ms >= 0 && ::GetTickCount64() >= deadline) return {};
    ::Sleep(pause);
    if (pause < 1) pause = 1;
  }
}

}  // namespace mproc::platform
