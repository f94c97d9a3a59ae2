// The POSIX-only start methods: fork and forkserver do not exist on Windows.
#include "mproc/platform/child_watch.hpp"
#include "mproc/platform/error.hpp"
#include "mproc/platform/fork.hpp"
#include "mproc/platform/forkserver.hpp"

namespace mproc::platform {

bool fork_supported() noexcept { return false; }

int fork_process(std::error_code& ec) noexcept {
  ec = not_supported();
  return -1;
}

std::error_code watch_forked_child(uv_loop_s*, int, std::function<void(int)>, std::function<void()>) noexcept {
  return not_supported();
}

void register_fork_handlers(void (*)(), void (*)(), void (*)()) noexcept {}

bool forkserver_supported() noexcept { return false; }

std::error_code forkserver_listen(forkserver_endpoint&, native_handle&) noexcept {
  return not_supported();
}

void forkserver_remove(const forkserver_endpoint&) noexcept {}

void forkserver_serve(native_handle, native_handle, const std::string&, int (*)(native_handle)) {}

std::error_code forkserver_request(const forkserver_endpoint&, native_handle, int&, native_handle&, bool& request_sent) noexcept {
  request_sent = false;
  return not_supported();
}

std::error_code forkserver_read_exitcode(native_handle, int&) noexcept { return not_supported(); }

std::error_code forkserver_signal(native_handle, int) noexcept { return not_supported(); }

}  // namespace mproc::platform
