#include <uv.h>


#include "core/throw_error.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/platform/sentinel.hpp"
#include "mproc/platform/spawn.hpp"
#include "process/launch.hpp"
#include "process/runtime.hpp"
#include "core/spawn_command.hpp"

namespace mproc::detail {
namespace {

// What the record's control and the loop's exit watch share about one spawned child.
struct SpawnedProcess {
  platform::spawned_child child;
  ~SpawnedProcess() { platform::release_spawned_child(child); }
};

class SpawnedChild final : public ChildControl {
 public:
  SpawnedChild(std::shared_ptr<SpawnedProcess> process, native_handle channel, native_handle sentinel)
      : process_(std::move(process)), channel_(channel), sentinel_(sentinel) {}
  ~SpawnedChild() override {
    platform::release_sentinel(sentinel_, channel_);
    platform::close_handle(channel_);
  }
  // Called under the record's mutex while the child is not being reaped (`signallable`).
  std::error_code send_signal(int sig) override { return platform::signal_spawned_child(process_->child, sig); }
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
  auto process = std::make_shared<SpawnedProcess>();
  // On the calling thread, not the loop's: the loop goes on reaping and serving pipes meanwhile.
  try {
    process->child = spawn_own_binary(SpawnRole::child, {channel.child});
  } catch (...) {
    platform::close_handle(channel.child);
    platform::close_handle(channel.parent);
    throw;
  }
  platform::close_handle(channel.child);
  record->pid.store(process->child.pid);
  native_handle sentinel = platform::spawned_child_sentinel(process->child, channel.parent);
  record->control = std::make_unique<SpawnedChild>(process, channel.parent, sentinel);
  Runtime& runtime = Runtime::instance();
  runtime.add_child(record);  // Before the loop can report its exit.
  runtime.loop().post([record, process](uv_loop_t* loop) {
    auto done = [record](int code) { record->finish(code); };
    auto before_reap = [record] { record->stop_signals(); };
    if (platform::watch_spawned_child(loop, process->child, done, before_reap)) {
      record->stop_signals();  // Out of memory or handles: cannot happen in practice.
      done(255);
    }
  });
  // A child that died before reading its task makes this fail; its exitcode tells the story.
  if (!platform::write_all(channel.parent, frame.data(), frame.size()))
    send_entry_handles(entry, channel.parent, record->control->sentinel());
}

}  // namespace mproc::detail
