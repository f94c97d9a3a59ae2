#include <uv.h>

#include <chrono>
#include <thread>

#include "process/launch.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/platform/sentinel.hpp"
#include "process/runtime.hpp"
#include "process/spawn_command.hpp"
#include "core/throw_error.hpp"

namespace mproc::detail {
namespace {

// The libuv side of a spawned child. Shared by the loop (until libuv has closed the handle)
// and by the record's control (until the record goes).
struct SpawnedProcess {
  uv_process_t handle{};
  std::shared_ptr<SpawnedProcess> self;  // the loop's reference, dropped when the handle closes
  std::shared_ptr<ProcessRecord> record;
  bool exited = false;  // loop thread only
};

void release_handle(uv_handle_t* h) {
  auto* p = static_cast<SpawnedProcess*>(h->data);
  p->self.reset();  // May delete p.
}

void on_exit(uv_process_t* handle, int64_t exit_status, int term_signal) {
  auto* p = static_cast<SpawnedProcess*>(handle->data);
  p->exited = true;
  // Killed by a signal (POSIX), or by uv_process_kill/TerminateProcess (Windows): -N as Python.
  int code = term_signal != 0 ? -term_signal : static_cast<int>(exit_status);
  auto record = std::move(p->record);
  uv_close(reinterpret_cast<uv_handle_t*>(handle), release_handle);
  record->finish(code);
}

class SpawnedChild final : public ChildControl {
 public:
  SpawnedChild(std::shared_ptr<SpawnedProcess> process, native_handle channel, native_handle sentinel)
      : process_(std::move(process)), channel_(channel), sentinel_(sentinel) {}
  ~SpawnedChild() override {
    platform::release_sentinel(sentinel_, channel_);
    platform::close_handle(channel_);
  }
  // libuv is only touched on its thread, where this is serialised with the exit callback: if the
  // child was reaped already, `exited` says so and nothing is sent. Posted, not waited for,
  // because the caller holds the record's mutex, which the exit callback needs.
  std::error_code send_signal(int sig) override {
    Runtime::instance().loop().post([process = process_, sig](uv_loop_t*) {
      if (!process->exited) uv_process_kill(&process->handle, sig);  // Ignore ESRCH.
    });
    return {};
  }
  native_handle sentinel() const override { return sentinel_; }
  void close_in_forked_child() noexcept override { platform::close_handle(channel_); }

 private:
  std::shared_ptr<SpawnedProcess> process_;
  native_handle channel_;
  native_handle sentinel_;
};

}  // namespace

void launch_spawn(const std::shared_ptr<ProcessRecord>& record, const SpawnEntry& entry) {
  std::string frame = make_bootstrap_frame(*record, entry, /*arm_death_signal=*/true);
  platform::channel_pair channel;
  throw_error(platform::make_channel(channel), "cannot create a channel for the new process");
  Runtime& runtime = Runtime::instance();
  auto spawn_once = [&](uv_loop_t* loop) {
    auto p = std::make_shared<SpawnedProcess>();
    p->handle.data = p.get();
    p->self = p;
    p->record = record;
    SpawnCommand command(SpawnRole::child, {channel.child});
    int r = uv_spawn(loop, &p->handle, command.options(&on_exit));
    if (r != 0) {
      p->record.reset();
      uv_close(reinterpret_cast<uv_handle_t*>(&p->handle), release_handle);  // libuv wants it.
      return r;
    }
    record->pid.store(p->handle.pid);
    native_handle sentinel = platform::spawned_child_sentinel(&p->handle, channel.parent);
    record->control = std::make_unique<SpawnedChild>(p, channel.parent, sentinel);
    runtime.add_child(record);  // Before the loop can report its exit.
    return 0;
  };
  // CreateProcess under Wine fails now and then with an error libuv does not know (UV_UNKNOWN)
  // while many processes start at once; nothing was created, so it is tried again shortly.
  int rc = 0;
  for (int attempt = 1;; ++attempt) {
    rc = runtime.loop().call(spawn_once);
    if (rc != UV_UNKNOWN || attempt == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
  }
  platform::close_handle(channel.child);
  if (rc != 0) {
    platform::close_handle(channel.parent);
    throw_uv_error(rc, "cannot spawn a new process");
  }
  // A child that died before reading its task makes this fail; its exitcode tells the story.
  if (!platform::write_all(channel.parent, frame.data(), frame.size()))
    send_entry_handles(entry, channel.parent, record->control->sentinel());
}

}  // namespace mproc::detail
