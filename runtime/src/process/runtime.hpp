#pragma once
// One runtime per process: the event loop, the live children, the forkserver, and what happens
// at exit. Created on first use. A forked child gets a fresh runtime: the parent's loop thread
// does not exist there, so nothing of the inherited runtime may be used except to close the
// descriptors it held.
#include <memory>
#include <mutex>
#include <vector>

#include "core/process_wide.hpp"
#include "process/event_loop.hpp"
#include "process/process_record.hpp"

namespace mproc::detail {

class Forkserver;

class Runtime {
 public:
  static Runtime& instance();

  /// The loop, its thread started on first use.
  EventLoop& loop();

  /// Tracks a started child until it has exited.
  void add_child(std::shared_ptr<ProcessRecord> record);
  void remove_child(const ProcessRecord* record);
  std::vector<std::shared_ptr<ProcessRecord>> children();

  /// The forkserver of this process, started on first use.
  Forkserver& forkserver();

  /// Python's exit function: terminates daemonic children, joins all children, stops the loop.
  /// Runs once per process (at normal exit, or at the end of a child's bootstrap).
  void exit_handling();

  /// In a freshly forked child: closes the descriptors the parent's runtime held for its other
  /// children (their sentinels), which would otherwise keep them from seeing their parent's EOF.
  static void close_inherited_descriptors();

 private:
  friend class ProcessWide<Runtime>;
  Runtime();
  static void before_fork() noexcept;
  static void after_fork_in_parent() noexcept;
  static void after_fork_in_child() noexcept;

  std::once_flag loop_once_;
  EventLoop* loop_ = nullptr;
  std::mutex children_mutex_;
  std::vector<std::shared_ptr<ProcessRecord>> children_;
  std::once_flag forkserver_once_;
  Forkserver* forkserver_ = nullptr;
  std::once_flag exit_once_;
};

}  // namespace mproc::detail
