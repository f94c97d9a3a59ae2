// The table of builtin kinds every manager server serves, and the helpers their methods share.
#include "managers/managed_object.hpp"
#include "managers/manager_channel.hpp"

namespace mproc::detail {

std::shared_ptr<ManagedObject> make_managed_dict(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_list(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_array(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_namespace(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_value(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_queue(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_lock(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_rlock(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_semaphore(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_bounded_semaphore(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_event(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_condition(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_barrier(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_pool(CallContext&, std::vector<std::string>&);
std::shared_ptr<ManagedObject> make_managed_shared_memory_tracker(CallContext&, std::vector<std::string>&);

const std::vector<std::pair<std::string, ManagedMaker>>& builtin_kinds() {
  static const std::vector<std::pair<std::string, ManagedMaker>> kinds = {
      {"dict", make_managed_dict},
      {"list", make_managed_list},
      {"Array", make_managed_array},
      {"Namespace", make_managed_namespace},
      {"Value", make_managed_value},
      {"Queue", make_managed_queue},
      {"JoinableQueue", make_managed_queue},
      {"Lock", make_managed_lock},
      {"RLock", make_managed_rlock},
      {"Semaphore", make_managed_semaphore},
      {"BoundedSemaphore", make_managed_bounded_semaphore},
      {"Event", make_managed_event},
      {"Condition", make_managed_condition},
      {"Barrier", make_managed_barrier},
      {"Pool", make_managed_pool},
      {"SharedMemoryTracker", make_managed_shared_memory_tracker},
  };
  return kinds;
}

bool CallContext::caller_gone() const { return channel != nullptr && channel->peer_gone(); }

std::string& argument(std::vector<std::string>& args, std::size_t index, std::string_view kind,
                      std::string_view method) {
  if (index >= args.size())
    throw ValueError(std::string(kind) + "." + std::string(method) + " needs " +
                     std::to_string(index + 1) + " argument(s), the request carried " +
                     std::to_string(args.size()) +
                     " (the client and the manager disagree on the protocol)");
  return args[index];
}

void no_such_method(std::string_view kind, std::string_view method) {
  throw AttributeError("'" + std::string(kind) + "' object held by the manager has no method '" +
                       std::string(method) + "'");
}

}  // namespace mproc::detail
