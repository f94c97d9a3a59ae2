#pragma once
// The one way the runtime keeps a process-wide object (the Runtime, the registry of manager
// proxies): made on first use by whichever thread gets there first, and never destroyed, since
// it must outlive every static destructor and atexit handler that may still use it.
//
// Not a function-local static: its initialisation guard could be left locked in a forked child
// by a parent thread that was inside it, and a forked child may need the object at once.
#include <atomic>

namespace mproc::detail {

template <class T>
class ProcessWide {
 public:
  /// The object, made now if there is none yet.
  T& get() {
    T* p = object_.load(std::memory_order_acquire);
    if (p != nullptr) return *p;
    T* fresh = new T();
    if (object_.compare_exchange_strong(p, fresh, std::memory_order_acq_rel)) return *fresh;
    delete fresh;  // another thread made it first
    return *p;
  }
  /// The object if one was made (never makes one).
  T* peek() const noexcept { return object_.load(std::memory_order_acquire); }
  /// Forgets the object and returns it (a forked child starts a runtime of its own).
  T* release() noexcept { return object_.exchange(nullptr, std::memory_order_acq_rel); }

 private:
  std::atomic<T*> object_{nullptr};
};

}  // namespace mproc::detail
