#include "synchronize/resource_tracker.hpp"

#include <spdlog/logger.h>

#include "mproc/logging.hpp"
#include "mproc/platform/named_memory.hpp"
#include "core/spawn_command.hpp"
#include "core/throw_error.hpp"

namespace mproc::detail {

ResourceTracker& ResourceTracker::instance() {
  static ResourceTracker* tracker = new ResourceTracker;  // Never destroyed: used until exit.
  return *tracker;
}

void ResourceTracker::track(const std::string& name) {
  if (!platform::named_regions_persist()) return;
  if (channel_.load() == invalid_handle) {
    std::lock_guard<std::mutex> lock(start_mutex_);
    if (channel_.load() == invalid_handle) {
      native_handle channel = invalid_handle;
      throw_error(platform::start_resource_tracker(spawn_command(SpawnRole::resource_tracker, {}), channel),
                  "cannot start the resource tracker");
      channel_.store(channel);
    }
  }
  if (auto ec = platform::tracker_note(channel_.load(), name, false))
    get_logger()->warn("cannot register shared memory '{}' with the resource tracker: {}", name, ec.message());
}

void ResourceTracker::untrack(const std::string& name) {
  native_handle channel = channel_.load();
  if (channel != invalid_handle) (void)platform::tracker_note(channel, name, true);
}

}  // namespace mproc::detail
