#include <uv.h>

#include "process/forkserver_client.hpp"
#include "process/launch.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/platform/forkserver.hpp"
#include "mproc/platform/process_control.hpp"
#include "process/runtime.hpp"
#include "core/throw_error.hpp"

namespace mproc::detail {
namespace {

class ForkserverChild final : public ChildControl {
 public:
  ForkserverChild(int pid, native_handle status, native_handle channel)
      : pid_(pid), status_(status), channel_(channel) {}
  ~ForkserverChild() override {
    platform::close_handle(status_);
    platform::close_handle(channel_);
  }
  // The server signals it only if it has not reaped it yet: no pid-reuse race. If the server
  // was killed, its daemonic children died with it, but others may still run (orphans now):
  // they are signalled by pid, as Python always does for forkserver children, and one that is
  // gone already needs nothing (signalling an ended process does nothing in Python).
  std::error_code send_signal(int sig) override {
    auto ec = platform::forkserver_signal(status_, sig);
    if (ec != std::errc::broken_pipe && ec != std::errc::connection_reset) return ec;
    ec = platform::send_signal(pid_, sig);
    if (ec == std::errc::no_such_process) return {};
    return ec;
  }
  native_handle sentinel() const override { return channel_; }
  void close_in_forked_child() noexcept override {
    platform::close_handle(status_);
    platform::close_handle(channel_);
  }

 private:
  int pid_;
  native_handle status_;   // the server writes the exit code here
  native_handle channel_;  // EOF when the child exits: the sentinel
};

struct StatusWatch {
  uv_poll_t poll{};
  std::shared_ptr<ProcessRecord> record;
  native_handle status;
};

void on_status(uv_poll_t* handle, int, int) {
  auto* w = static_cast<StatusWatch*>(handle->data);
  int code = 255;  // The server died before it could tell us.
  (void)platform::forkserver_read_exitcode(w->status, code);
  auto record = std::move(w->record);
  // Stop polling before `finish` lets the record (which owns the descriptor) go.
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll),
           [](uv_handle_t* h) { delete static_cast<StatusWatch*>(h->data); });
  record->finish(code);
}

}  // namespace

void launch_forkserver(const std::shared_ptr<ProcessRecord>& record, const SpawnEntry& entry) {
  std::string frame = make_bootstrap_frame(*record, entry, /*arm_death_signal=*/true);
  Runtime& runtime = Runtime::instance();
  platform::channel_pair channel;
  throw_error(platform::make_channel(channel), "cannot create a channel for the new process");
  int pid = 0;
  native_handle status = invalid_handle;
  try {
    runtime.forkserver().request(channel.child, pid, status);
  } catch (...) {
    platform::close_handle(channel.child);
    platform::close_handle(channel.parent);
    throw;
  }
  platform::close_handle(channel.child);
  record->pid.store(pid);
  record->control = std::make_unique<ForkserverChild>(pid, status, channel.parent);
  runtime.add_child(record);
  runtime.loop().post([record, status](uv_loop_t* loop) {
    auto* w = new StatusWatch;
    w->poll.data = w;
    w->record = record;
    w->status = status;
    if (uv_poll_init(loop, &w->poll, static_cast<int>(status)) != 0) {
      delete w;
      record->finish(255);
      return;
    }
    uv_poll_start(&w->poll, UV_READABLE, on_status);
  });
  if (!platform::write_all(channel.parent, frame.data(), frame.size()))
    send_entry_handles(entry, channel.parent, invalid_handle);
}

}  // namespace mproc::detail
