// Exit notification and signals for children started by `spawn_child` (Windows).
#include <uv.h>
#include <windows.h>

#include <memory>

#include "mproc/platform/error.hpp"
#include "mproc/platform/spawn.hpp"

namespace mproc::platform {
namespace {

// TerminateProcess's exit code for `signal_spawned_child(sig)`: 0x10000 + sig, read back as -sig.
// Python uses 0x10000 for terminate(); no program exits with such a code by itself.
constexpr DWORD signalled_base = 0x10000;
constexpr DWORD highest_signal = 64;

int exitcode_of(DWORD status) {
  if (status > signalled_base && status <= signalled_base + highest_signal)
    return -static_cast<int>(status - signalled_base);
  return static_cast<int>(status);
}

// A system thread-pool wait on the process handle (no polling, no thread of our own); its
// callback only wakes the loop, where the exit is reported and everything is closed.
struct exit_watch {
  uv_async_t async{};
  HANDLE process = nullptr;  // our own duplicate: valid until we close it
  HANDLE wait = nullptr;
  std::function<void(int)> done;
  std::function<void()> before_reap;
};

void CALLBACK on_process_signalled(void* context, BOOLEAN) {
  uv_async_send(&static_cast<exit_watch*>(context)->async);
}

void on_async_closed(uv_handle_t* handle) {
  auto* w = static_cast<exit_watch*>(handle->data);
  ::CloseHandle(w->process);
  delete w;
}

void on_exit_reported(uv_async_t* async) {
  auto* w = static_cast<exit_watch*>(async->data);
  // Waits until the callback has returned (it may still be inside uv_async_send), so that
  // nothing touches `w` after it is freed.
  ::UnregisterWaitEx(w->wait, INVALID_HANDLE_VALUE);
  DWORD status = 0;
  int code = ::GetExitCodeProcess(w->process, &status) ? exitcode_of(status) : 255;
  auto done = std::move(w->done);
  auto before_reap = std::move(w->before_reap);
  uv_close(reinterpret_cast<uv_handle_t*>(&w->async), on_async_closed);
  // Nothing is reaped on Windows: an open process handle keeps the pid from reuse. The order
  // is kept all the same.
  if (before_reap) before_reap();
  done(code);
}

}  // namespace

std::error_code watch_spawned_child(uv_loop_s* loop, const spawned_child& child, std::function<void(int)> done,
                                    std::function<void()> before_reap) noexcept {
  auto w = std::make_unique<exit_watch>();
  if (!::DuplicateHandle(::GetCurrentProcess(), reinterpret_cast<HANDLE>(child.process),
                         ::GetCurrentProcess(), &w->process, SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION,
                         FALSE, 0))
    return last_error();
  w->done = std::move(done);
  w->before_reap = std::move(before_reap);
  w->async.data = w.get();
  if (int rc = uv_async_init(loop, &w->async, on_exit_reported); rc != 0) {
    ::CloseHandle(w->process);
    return uv_error(rc);
  }
  if (!::RegisterWaitForSingleObject(&w->wait, w->process, on_process_signalled, w.get(), INFINITE,
                                     WT_EXECUTEONLYONCE | WT_EXECUTEINWAITTHREAD)) {
    auto ec = last_error();
    w->done = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(&w.release()->async), on_async_closed);
    return ec;
  }
  w.release();  // now owned by the loop: freed in on_async_closed
  return {};
}

std::error_code signal_spawned_child(const spawned_child& child, int sig) noexcept {
  if (sig <= 0 || static_cast<DWORD>(sig) > highest_signal) return std::make_error_code(std::errc::invalid_argument);
  if (!::TerminateProcess(reinterpret_cast<HANDLE>(child.process), signalled_base + static_cast<DWORD>(sig))) {
    // Already gone (its exit not yet reported): as ESRCH on POSIX, nothing to do.
    if (::GetLastError() == ERROR_ACCESS_DENIED) return {};
    return last_error();
  }
  return {};
}

void release_spawned_child(spawned_child& child) noexcept {
  if (child.process != invalid_handle && child.process != 0) ::CloseHandle(reinterpret_cast<HANDLE>(child.process));
  child.process = invalid_handle;
}

}  // namespace mproc::platform
