#include "mproc/platform/pipe.hpp"

#include <windows.h>
#include <fcntl.h>
#include <io.h>

#include <atomic>
#include <string>

#include "mproc/platform/channel.hpp"
#include "crt_handle.hpp"
#include "overlapped_io.hpp"
#include "mproc/platform/error.hpp"
#include "utf.hpp"

namespace mproc::platform {
namespace {

constexpr DWORD pipe_buffer = 64 * 1024;

}  // namespace

void ignore_broken_pipe_signal() noexcept {}

void expect_large_writes(native_handle) noexcept {}  // Named pipes have their size from creation.

std::error_code make_pipe(bool duplex, pipe_pair& out) noexcept {
  static std::atomic<unsigned> counter{0};
  std::string name = "\\\\.\\pipe\\mproc-" + std::to_string(::GetCurrentProcessId()) + "-" +
                     std::to_string(counter++) + "-" + std::to_string(::GetTickCount64());
  // Both ends overlapped: a waiter parks a zero-byte read on them (wait_ready.cpp), and reads
  // and writes wait for their OVERLAPPED (overlapped_io.hpp).
  DWORD open_mode = (duplex ? PIPE_ACCESS_DUPLEX : PIPE_ACCESS_INBOUND) | FILE_FLAG_FIRST_PIPE_INSTANCE |
                    FILE_FLAG_OVERLAPPED;
  HANDLE server = ::CreateNamedPipeW(to_wide(name).c_str(), open_mode,
                                     PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT |
                                         PIPE_REJECT_REMOTE_CLIENTS,
                                     1, pipe_buffer, pipe_buffer, 0, nullptr);
  if (server == INVALID_HANDLE_VALUE) return last_error();
  DWORD access = duplex ? (GENERIC_READ | GENERIC_WRITE) : (GENERIC_WRITE | FILE_READ_ATTRIBUTES);
  HANDLE client = ::CreateFileW(to_wide(name).c_str(), access, 0, nullptr, OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
  if (client == INVALID_HANDLE_VALUE) {
    auto ec = last_error();
    ::CloseHandle(server);
    return ec;
  }
  if (!connect_pipe_blocking(server)) {
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

}  // namespace mproc::platform
