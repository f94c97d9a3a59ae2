#include "mproc/platform/handle_transfer.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "mproc/platform/error.hpp"

namespace mproc::platform {
namespace {

// Linux accepts up to 253 descriptors per message; batches stay well below.
constexpr std::size_t batch = 64;

}  // namespace

std::error_code send_handles(native_handle channel, native_handle,
                             const std::vector<handle_ref>& items) noexcept {
  for (std::size_t first = 0; first < items.size(); first += batch) {
    std::size_t n = std::min(batch, items.size() - first);
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * batch)];
    std::memset(control, 0, sizeof control);
    char byte = 'h';  // SCM_RIGHTS needs at least one byte of data to ride on.
    iovec iov{&byte, 1};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * n);
    auto* fds = reinterpret_cast<int*>(CMSG_DATA(c));
    for (std::size_t i = 0; i < n; ++i) fds[i] = static_cast<int>(items[first + i].handle);
    ssize_t r;
    do {
      r = ::sendmsg(static_cast<int>(channel), &msg, MSG_NOSIGNAL);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return last_error();
  }
  return {};
}

std::error_code receive_handles(native_handle channel, const std::vector<handle_kind>& kinds,
                                std::vector<native_handle>& out) noexcept {
  out.clear();
  while (out.size() < kinds.size()) {
    std::size_t n = std::min(batch, kinds.size() - out.size());
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * batch)];
    char byte = 0;
    iovec iov{&byte, 1};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t r;
    do {
      r = ::recvmsg(static_cast<int>(channel), &msg, MSG_CMSG_CLOEXEC);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return last_error();
    if (r == 0) return std::make_error_code(std::errc::connection_aborted);
    std::size_t got = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      auto* fds = reinterpret_cast<const int*>(CMSG_DATA(c));
      for (std::size_t i = 0; i < count; ++i) out.push_back(fds[i]);
      got += count;
    }
    if (got != n || (msg.msg_flags & MSG_CTRUNC) != 0)
      return std::make_error_code(std::errc::protocol_error);
  }
  return {};
}

}  // namespace mproc::platform
