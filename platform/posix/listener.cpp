#include "mproc/platform/listener.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "mproc/platform/crypto.hpp"
#include "mproc/platform/error.hpp"

namespace mproc::platform {
namespace {

std::error_code unix_address(const std::string& path, sockaddr_un& out, socklen_t& length) {
  if (path.empty() || path.size() >= sizeof out.sun_path) return std::make_error_code(std::errc::filename_too_long);
  std::memset(&out, 0, sizeof out);
  out.sun_family = AF_UNIX;
  std::memcpy(out.sun_path, path.data(), path.size());
  length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
  return {};
}

// Resolves host:port; `passive` for binding (an empty host means every interface).
std::error_code resolve(const endpoint& where, bool passive, addrinfo*& result) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  std::string port = std::to_string(where.port);
  int rc = ::getaddrinfo(where.host.empty() ? nullptr : where.host.c_str(), port.c_str(), &hints, &result);
  if (rc != 0) return std::make_error_code(std::errc::host_unreachable);
  return {};
}

void no_delay(int fd) {
  int one = 1;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // Messages, not a stream.
}

// A new socket with `setup` applied (bind+listen, or connect); closed again if that fails.
template <class Setup>
std::error_code open_socket(int family, int type, int protocol, Setup setup, int& out) {
  int fd = ::socket(family, type | SOCK_CLOEXEC, protocol);
  if (fd < 0) return last_error();
  if (auto ec = setup(fd)) {
    ::close(fd);
    return ec;
  }
  out = fd;
  return {};
}

// Tries each address `where` resolves to until `setup` works on a socket for it.
template <class Setup>
std::error_code open_tcp(const endpoint& where, bool passive, Setup setup, int& out) {
  addrinfo* info = nullptr;
  if (auto ec = resolve(where, passive, info)) return ec;
  std::error_code ec = std::make_error_code(std::errc::address_not_available);
  for (addrinfo* a = info; a != nullptr; a = a->ai_next) {
    ec = open_socket(a->ai_family, a->ai_socktype, a->ai_protocol, [&](int fd) { return setup(fd, a); }, out);
    if (!ec) break;
  }
  ::freeaddrinfo(info);
  return ec;
}

int bound_port(int fd) {
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  return bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

std::error_code ok_or_last_error(int rc) { return rc == 0 ? std::error_code() : last_error(); }

}  // namespace

bool family_supported(address_family family) noexcept { return family != address_family::named_pipe; }

endpoint arbitrary_endpoint(address_family family) {
  static std::atomic<unsigned> counter{0};
  endpoint e;
  e.family = family;
  if (family == address_family::unix_socket) {
    std::string tag = random_hex(6);
    const char* dir = std::getenv("TMPDIR");
    e.path = std::string(dir != nullptr && *dir ? dir : "/tmp") + "/mproc-" + std::to_string(::getpid()) +
             "-" + std::to_string(counter++) + "-" + tag + ".sock";
  } else {
    e.host = "127.0.0.1";
    e.port = 0;
  }
  return e;
}

std::error_code listen_on(const endpoint& where, int backlog, listener& out) noexcept {
  out = {};
  out.bound = where;
  int fd = -1;
  std::error_code ec;
  if (where.family == address_family::unix_socket) {
    sockaddr_un addr;
    socklen_t length;
    if ((ec = unix_address(where.path, addr, length))) return ec;
    ec = open_socket(AF_UNIX, SOCK_STREAM, 0, [&](int s) {
      return ok_or_last_error(::bind(s, reinterpret_cast<sockaddr*>(&addr), length) != 0 ? -1 : ::listen(s, backlog));
    }, fd);
  } else if (where.family == address_family::tcp) {
    ec = open_tcp(where, true, [&](int s, const addrinfo* a) {
      int one = 1;
      (void)::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      return ok_or_last_error(::bind(s, a->ai_addr, a->ai_addrlen) != 0 ? -1 : ::listen(s, backlog));
    }, fd);
    if (!ec) out.bound.port = bound_port(fd);
  } else {
    return not_supported();
  }
  if (!ec) out.handle = fd;
  return ec;
}

std::error_code accept_connection(listener& l, native_handle& out, endpoint* peer) noexcept {
  for (;;) {
    sockaddr_storage from{};
    socklen_t length = sizeof from;
    int fd = ::accept4(static_cast<int>(l.handle), reinterpret_cast<sockaddr*>(&from), &length, SOCK_CLOEXEC);
    if (fd >= 0) {
      if (l.bound.family == address_family::tcp) no_delay(fd);
      out = fd;
      if (peer) {
        *peer = endpoint{l.bound.family, {}, {}, 0};
        char host[NI_MAXHOST];
        char port[NI_MAXSERV];
        if (l.bound.family == address_family::tcp &&
            ::getnameinfo(reinterpret_cast<sockaddr*>(&from), length, host, sizeof host, port,
                          sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
          peer->host = host;
          peer->port = std::atoi(port);
        }
      }
      return {};
    }
    if (errno != EINTR && errno != ECONNABORTED) return last_error();
  }
}

void close_listener(listener& l) noexcept {
  if (l.handle != invalid_handle) ::close(static_cast<int>(l.handle));
  if (l.handle != invalid_handle && l.bound.family == address_family::unix_socket)
    ::unlink(l.bound.path.c_str());
  l.handle = invalid_handle;
}

std::error_code connect_to(const endpoint& where, native_handle& out) noexcept {
  auto connect_retrying = [](int s, const sockaddr* addr, socklen_t length) {
    int rc;
    do {
      rc = ::connect(s, addr, length);
    } while (rc != 0 && errno == EINTR);
    return ok_or_last_error(rc);
  };
  int fd = -1;
  std::error_code ec;
  if (where.family == address_family::unix_socket) {
    sockaddr_un addr;
    socklen_t length;
    if ((ec = unix_address(where.path, addr, length))) return ec;
    ec = open_socket(AF_UNIX, SOCK_STREAM, 0, [&](int s) {
      return connect_retrying(s, reinterpret_cast<sockaddr*>(&addr), length);
    }, fd);
  } else if (where.family == address_family::tcp) {
    ec = open_tcp(where, false, [&](int s, const addrinfo* a) { return connect_retrying(s, a->ai_addr, a->ai_addrlen); },
                  fd);
    if (!ec) no_delay(fd);
  } else {
    return not_supported();
  }
  if (!ec) out = fd;
  return ec;
}

}  // namespace mproc::platform
