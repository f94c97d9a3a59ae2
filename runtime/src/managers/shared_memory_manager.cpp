// SharedMemoryManager: blocks are made in the calling process (as in Python), then named to
// the server's tracker object, which unlinks them as the server ends.
#include "mproc/shared_memory_manager.hpp"

namespace mproc {
namespace {

// The one tracker object of every SharedMemoryManager's server.
constexpr const char* tracker_id = "SharedMemoryTracker";

}  // namespace

SharedMemoryManager::SharedMemoryManager() : SharedMemoryManager(std::nullopt) {}

SharedMemoryManager::SharedMemoryManager(std::optional<Address> address,
                                         std::optional<std::string> authkey,
                                         std::string start_method)
    : BaseManager(std::move(address), std::move(authkey), std::move(start_method)) {
  register_shared(tracker_id, tracker_id);
}

::mproc::SharedMemory SharedMemoryManager::SharedMemory(std::size_t size) const {
  ::mproc::SharedMemory block(std::nullopt, true, size);
  track_or_unlink(block);
  return block;
}

void SharedMemoryManager::track_or_unlink(::mproc::SharedMemory& block) const {
  try {
    create<AutoProxy>(tracker_id).callmethod("track", block.name());
  } catch (...) {
    // Not started (or gone): nobody would unlink the block at shutdown, so it is not kept.
    block.unlink();
    throw;
  }
}

std::vector<std::string> SharedMemoryManager::list_segments() const {
  return create<AutoProxy>(tracker_id).callmethod<std::vector<std::string>>("list_segments");
}

}  // namespace mproc
