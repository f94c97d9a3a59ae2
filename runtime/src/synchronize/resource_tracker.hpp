#pragma once
// This program's resource tracker (see platform/named_memory.hpp): started on the first named
// shared memory this process creates, inherited by forked children, handed to spawned and
// forkserver children with their task, so that a whole program shares one.
#include <atomic>
#include <mutex>
#include <string>

#include "mproc/platform/native_handle.hpp"

namespace mproc::detail {

class ResourceTracker {
 public:
  static ResourceTracker& instance();

  /// The tracker removes `name` when the program has ended, unless `untrack`ed first. A name
  /// starting with '/' is a file path (an AF_UNIX socket's), any other a shared-memory block.
  void track(const std::string& name);
  void untrack(const std::string& name);

  /// The tracker's channel, to hand to a new child (invalid if none was started).
  native_handle channel() const noexcept { return channel_.load(); }
  /// In a spawned child: use the parent's tracker.
  void adopt(native_handle channel) noexcept { channel_.store(channel); }

 private:
  std::mutex start_mutex_;
  std::atomic<native_handle> channel_{invalid_handle};
};

}  // namespace mproc::detail
