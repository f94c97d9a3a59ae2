#include "mproc/platform/listener.hpp"

// winsock2 before windows.h (WIN32_LEAN_AND_MEAN keeps windows.h from pulling winsock 1).
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <fcntl.h>
#include <io.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "mproc/platform/crypto.hpp"
#include "crt_handle.hpp"
#include "overlapped_io.hpp"
#include "mproc/platform/error.hpp"
#include "utf.hpp"

namespace mproc::platform {
namespace {

constexpr DWORD pipe_buffer = 64 * 1024;

std::error_code wsa_error() { return {::WSAGetLastError(), std::system_category()}; }

void start_winsock() {
  static std::once_flag once;
  std::call_once(once, [] {
    WSADATA data;
    (void)::WSAStartup(MAKEWORD(2, 2), &data);
  });
}

// Non-overlapped sockets, so that ReadFile/WriteFile work on them like on pipes.
SOCKET make_socket(int family, int type, int protocol) {
  return ::WSASocketW(family, type, protocol, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
}

// Overlapped, as make_pipe's, so that waiting for a message sleeps (wait_ready.cpp).
HANDLE new_pipe_instance(const std::string& path, bool first) {
  return ::CreateNamedPipeW(to_wide(path).c_str(),
                            PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED | (first ? FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
                            PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT, PIPE_UNLIMITED_INSTANCES,
                            pipe_buffer, pipe_buffer, 0, nullptr);
}

std::error_code resolve(const endpoint& where, bool passive, addrinfo*& result) {
  start_winsock();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  std::string port = std::to_string(where.port);
  if (::getaddrinfo(where.host.empty() ? nullptr : where.host.c_str(), port.c_str(), &hints, &result) != 0)
    return wsa_error();
  return {};
}

// A connected socket is a message stream: no Nagle delay. And never inheritable, so that a
// child started meanwhile cannot keep the connection open after we close it.
void no_delay(SOCKET s) {
  BOOL one = TRUE;
  (void)::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one);
  (void)::SetHandleInformation(reinterpret_cast<HANDLE>(s), HANDLE_FLAG_INHERIT, 0);
}

}  // namespace

bool family_supported(address_family family) noexcept { return family != address_family::unix_socket; }

endpoint arbitrary_endpoint(address_family family) {
  static std::atomic<unsigned> counter{0};
  endpoint e;
  e.family = family;
  if (family == address_family::named_pipe) {
    std::string tag = random_hex(6);
    e.path = "\\\\.\\pipe\\mproc-listener-" + std::to_string(::GetCurrentProcessId()) + "-" +
             std::to_string(counter++) + "-" + tag;
  } else {
    e.host = "127.0.0.1";
    e.port = 0;
  }
  return e;
}

std::error_code listen_on(const endpoint& where, int backlog, listener& out) noexcept {
  out = {};
  out.bound = where;
  if (where.family == address_family::named_pipe) {
    HANDLE h = new_pipe_instance(where.path, true);
    if (h == INVALID_HANDLE_VALUE) return last_error();
    out.handle = reinterpret_cast<native_handle>(h);
    return {};
  }
  if (where.family != address_family::tcp) return not_supported();
  addrinfo* info = nullptr;
  if (auto ec = resolve(where, true, info)) return ec;
  std::error_code ec = std::make_error_code(std::errc::address_not_available);
  for (addrinfo* a = info; a != nullptr; a = a->ai_next) {
    SOCKET s = make_socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (s == INVALID_SOCKET) {
      ec = wsa_error();
      continue;
    }
    if (::bind(s, a->ai_addr, static_cast<int>(a->ai_addrlen)) != 0 || ::listen(s, backlog) != 0) {
      ec = wsa_error();
      ::closesocket(s);
      continue;
    }
    sockaddr_storage bound{};
    int length = sizeof bound;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&bound), &length);
    out.bound.port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                                 : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
    out.handle = static_cast<native_handle>(s);
    ec = {};
    break;
  }
  ::freeaddrinfo(info);
  return ec;
}

std::error_code accept_connection(listener& l, native_handle& out, endpoint* peer) noexcept {
  if (peer) *peer = endpoint{l.bound.family, {}, {}, 0};
  if (l.bound.family == address_family::named_pipe) {
    HANDLE h = reinterpret_cast<HANDLE>(l.handle);
    if (!connect_pipe_blocking(h)) return last_error();
    // The next client needs an instance of its own, ready before this one is handed out.
    HANDLE next = new_pipe_instance(l.bound.path, false);
    if (next == INVALID_HANDLE_VALUE) return last_error();
    l.handle = reinterpret_cast<native_handle>(next);
    return adopt_as_descriptor(h, out);
  }
  sockaddr_storage from{};
  int length = sizeof from;
  SOCKET s = ::accept(static_cast<SOCKET>(l.handle), reinterpret_cast<sockaddr*>(&from), &length);
  if (s == INVALID_SOCKET) return wsa_error();
  no_delay(s);
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (peer && ::getnameinfo(reinterpret_cast<sockaddr*>(&from), length, host, sizeof host, port,
                            sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
    peer->host = host;
    peer->port = std::atoi(port);
  }
  return adopt_as_descriptor(reinterpret_cast<HANDLE>(s), out);
}

void close_listener(listener& l) noexcept {
  if (l.handle == invalid_handle) return;
  if (l.bound.family == address_family::named_pipe) ::CloseHandle(reinterpret_cast<HANDLE>(l.handle));
  else ::closesocket(static_cast<SOCKET>(l.handle));
  l.handle = invalid_handle;
}

std::error_code connect_to(const endpoint& where, native_handle& out) noexcept {
  if (where.family == address_family::named_pipe) {
    for (int attempt = 0;; ++attempt) {
      HANDLE h = ::CreateFileW(to_wide(where.path).c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr,
                               OPEN_EXISTING, FILE_FLAG_OVERLAPPED, nullptr);
      if (h != INVALID_HANDLE_VALUE) return adopt_as_descriptor(h, out);
      // Every instance busy: wait for the server's next one (as CPython's PipeClient does).
      if (::GetLastError() != ERROR_PIPE_BUSY || attempt > 100) return last_error();
      ::WaitNamedPipeW(to_wide(where.path).c_str(), 1000);
    }
  }
  if (where.family != address_family::tcp) return not_supported();
  addrinfo* info = nullptr;
  if (auto ec = resolve(where, false, info)) return ec;
  std::error_code ec = std::make_error_code(std::errc::connection_refused);
  for (addrinfo* a = info; a != nullptr; a = a->ai_next) {
    SOCKET s = make_socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (s == INVALID_SOCKET) {
      ec = wsa_error();
      continue;
    }
    if (::connect(s, a->ai_addr, static_cast<int>(a->ai_addrlen)) != 0) {
      ec = wsa_error();
      ::closesocket(s);
      continue;
    }
    no_delay(s);
    ec = adopt_as_descriptor(reinterpret_cast<HANDLE>(s), out);
    break;
  }
  ::freeaddrinfo(info);
  return ec;
}

}  // namespace mproc::platform
