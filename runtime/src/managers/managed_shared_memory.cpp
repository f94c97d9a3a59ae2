// The builtin "SharedMemoryTracker" kind: the names of the blocks a SharedMemoryManager made,
// unlinked when its server ends.
#include <mutex>
#include <set>

#include "managers/managed_object.hpp"
#include "mproc/serialization.hpp"
#include "mproc/shared_memory.hpp"

namespace mproc::detail {
namespace {

class ManagedSharedMemoryTracker final : public ManagedObject {
 public:
  std::string call(CallContext&, std::string_view method, std::vector<std::string>& args) override {
    std::lock_guard lock(mutex_);
    if (method == "track") {
      std::tuple<std::string> name;
      wire::load(argument(args, 1, "SharedMemoryTracker", method), name);
      names_.insert(std::get<0>(name));
      return {};
    }
    if (method == "list_segments")
      return wire::save(std::vector<std::string>(names_.begin(), names_.end()));
    no_such_method("SharedMemoryTracker", method);
  }

  void server_stopping() noexcept override {
    std::lock_guard lock(mutex_);
    for (const auto& name : names_) {
      try {
        SharedMemory(name).unlink();
      } catch (const std::exception&) {
        // Already unlinked by its creator: nothing left to free.
      }
    }
    names_.clear();
  }

 private:
  std::mutex mutex_;
  std::set<std::string> names_;
};

}  // namespace

std::shared_ptr<ManagedObject> make_managed_shared_memory_tracker(CallContext&,
                                                                  std::vector<std::string>&) {
  return std::make_shared<ManagedSharedMemoryTracker>();
}

}  // namespace mproc::detail
