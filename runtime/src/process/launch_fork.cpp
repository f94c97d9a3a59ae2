#include <uv.h>

#include "core/identity.hpp"
#include "process/launch.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/platform/child_watch.hpp"
#include "mproc/platform/fork.hpp"
#include "mproc/platform/process_control.hpp"
#include "process/runtime.hpp"
#include "core/throw_error.hpp"

namespace mproc::detail {
namespace {

class ForkedChild final : public ChildControl {
 public:
  ForkedChild(int pid, native_handle channel) : pid_(pid), channel_(channel) {}
  ~ForkedChild() override { platform::close_handle(channel_); }
  std::error_code send_signal(int sig) override { return platform::send_signal(pid_, sig); }
  native_handle sentinel() const override { return channel_; }
  void close_in_forked_child() noexcept override { platform::close_handle(channel_); }

 private:
  int pid_;
  native_handle channel_;  // EOF when the child exits: the sentinel
};

}  // namespace

void launch_fork(const std::shared_ptr<ProcessRecord>& record, const std::function<void()>& body) {
  platform::channel_pair channel;
  throw_error(platform::make_channel(channel), "cannot create a channel for the new process");
  const Identity& parent = current_identity();
  int parent_pid = static_cast<int>(uv_os_getpid());
  // PR_SET_PDEATHSIG fires when the creating *thread* exits; only trust it from the main thread.
  bool from_main_thread = platform::is_main_thread();
  std::error_code ec;
  int pid = platform::fork_process(ec);
  if (pid == 0) {
    platform::close_handle(channel.parent);
    Runtime::close_inherited_descriptors();
    Identity me;
    me.name = record->name;
    me.daemon = record->daemon;
    me.path = record->path;
    me.is_child = true;
    me.parent_pid = parent_pid;
    me.parent_name = parent.name;
    me.parent_channel = channel.child;
    set_identity(std::move(me));
    reset_child_numbers();
    if (record->daemon) guard_parent_death(channel.child, parent_pid, from_main_thread);
    exit_child(run_process_body(body));
  }
  platform::close_handle(channel.child);
  if (pid < 0) {
    platform::close_handle(channel.parent);
    throw_error(ec, "cannot fork a new process");
  }
  record->pid.store(pid);
  record->control = std::make_unique<ForkedChild>(pid, channel.parent);
  Runtime& runtime = Runtime::instance();
  runtime.add_child(record);
  runtime.loop().post([record, pid](uv_loop_t* loop) {
    auto ec = platform::watch_forked_child(
        loop, pid, [record](int code) { record->finish(code); }, [record] { record->stop_signals(); });
    if (ec) record->finish(255);  // Cannot happen short of running out of memory/descriptors.
  });
}

}  // namespace mproc::detail
