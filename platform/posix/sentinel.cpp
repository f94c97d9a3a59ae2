#include "mproc/platform/sentinel.hpp"

#include <poll.h>

#include <cerrno>

namespace mproc::platform {

native_handle spawned_child_sentinel(const spawned_child&, native_handle channel_parent) noexcept {
  return channel_parent;
}

void release_sentinel(native_handle, native_handle) noexcept {}  // The channel is closed apart.

handle_kind sentinel_kind() noexcept { return handle_kind::descriptor; }

bool wait_channel(native_handle h, int timeout_ms) noexcept {
  pollfd p{static_cast<int>(h), POLLIN, 0};
  int r;
  do {
    r = ::poll(&p, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
  return r > 0;
}

bool wait_sentinel(native_handle sentinel, int timeout_ms) noexcept {
  return wait_channel(sentinel, timeout_ms);  // POSIX sentinels are channel ends.
}

}  // namespace mproc::platform
