// How the synchronisation objects print: Python's reprs of multiprocessing.synchronize.
#include <string>

#include "mproc/errors.hpp"
#include "mproc/synchronize.hpp"

namespace mproc {

std::string Lock::repr() const {
  std::string owner_name = owner();
  if (!detail::lock_recursive(*state_)) return "<Lock(owner=" + owner_name + ")>";
  // Python: the owner's recursion depth, 0 when free, "nonzero" when someone else holds it.
  std::string depth = owner_name == "None" ? "0" : held_by_this_thread() ? std::to_string(count()) : "nonzero";
  return "<RLock(" + owner_name + ", " + depth + ")>";
}

std::string Semaphore::repr() const {
  std::string value;
  try {
    value = std::to_string(get_value());
  } catch (const Error&) {
    value = "unknown";  // as Python on systems without sem_getvalue
  }
  unsigned maximum = detail::semaphore_maximum(*state_);
  if (maximum >= 0x7fffffffu) return "<Semaphore(value=" + value + ")>";
  return "<BoundedSemaphore(value=" + value + ", maxvalue=" + std::to_string(maximum) + ")>";
}

std::string Event::repr() const { return is_set() ? "<Event(set)>" : "<Event(unset)>"; }

std::string Condition::repr() const {
  return "<Condition(" + lock_.repr() + ", " + std::to_string(waiters()) + ")>";
}

}  // namespace mproc
