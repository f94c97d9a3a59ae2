// The builtin synchronization kinds of a manager: Lock, RLock, Semaphore, BoundedSemaphore,
// Event, Condition, Barrier. A caller blocks in its own server thread. Locks remember which
// client connection holds them, so a client that disconnects (its process died) releases them
// instead of leaving everyone else waiting forever.
#include <list>
#include <set>

#include "managers/managed_object.hpp"
#include "mproc/serialization.hpp"

namespace mproc::detail {
namespace {

template <class T>
T decoded(std::vector<std::string>& args, std::size_t index, std::string_view kind, std::string_view method) {
  T value{};
  wire::load(argument(args, index, kind, method), value);
  return value;
}

class ManagedLock final : public ManagedObject {
 public:
  explicit ManagedLock(bool recursive) : recursive_(recursive) {}

  std::string call(CallContext& context, std::string_view method, std::vector<std::string>& args) override {
    if (method == "acquire") {
      bool block = decoded<bool>(args, 0, kind(), method);
      auto timeout = decoded<std::optional<double>>(args, 1, kind(), method);
      return wire::save(acquire(context, block ? timeout : std::optional<double>(0.0), 1));
    }
    if (method == "release") {
      release(context.client);
      return {};
    }
    if (method == "get_value") {
      std::lock_guard lock(mutex_);
      return wire::save(count_ == 0 ? 1 : 0);
    }
    no_such_method(kind(), method);
  }

  void client_gone(std::uint64_t client) override {
    std::lock_guard lock(mutex_);
    if (count_ > 0 && owner_ == client) {
      count_ = 0;
      released_.notify_one();
    }
  }

  /// Takes the lock `times` times (a Condition gives back what wait() released).
  bool acquire(CallContext& context, std::optional<double> timeout, int times) {
    std::unique_lock lock(mutex_);
    if (recursive_ && count_ > 0 && owner_ == context.client) {
      count_ += times;
      return true;
    }
    if (!wait_for_caller(lock, released_, timeout, context, [&] { return count_ == 0; })) return false;
    owner_ = context.client;
    count_ = times;
    return true;
  }
  void release(std::uint64_t client) {
    std::lock_guard lock(mutex_);
    if (count_ == 0) throw ValueError(std::string("release of an unlocked ") + kind());
    if (recursive_ && owner_ != client)
      throw ValueError("cannot release an RLock held by another process or thread");
    if (--count_ == 0) released_.notify_one();
  }
  /// Releases entirely, for Condition::wait; returns how many times it was held.
  int release_all(std::uint64_t client) {
    std::lock_guard lock(mutex_);
    if (count_ == 0 || owner_ != client)
      throw ValueError("cannot wait on a Condition whose lock this caller does not hold");
    int held = count_;
    count_ = 0;
    released_.notify_one();
    return held;
  }
  bool held_by(std::uint64_t client) {
    std::lock_guard lock(mutex_);
    return count_ > 0 && owner_ == client;
  }
  const char* kind() const { return recursive_ ? "RLock" : "Lock"; }

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  bool recursive_;
  std::uint64_t owner_ = 0;
  int count_ = 0;
};

class ManagedSemaphore final : public ManagedObject {
 public:
  ManagedSemaphore(int value, bool bounded) : value_(value), maximum_(bounded ? value : -1) {
    if (value < 0) throw ValueError("a Semaphore's initial value must be >= 0");
  }

  std::string call(CallContext& context, std::string_view method, std::vector<std::string>& args) override {
    std::unique_lock lock(mutex_);
    if (method == "acquire") {
      bool block = decoded<bool>(args, 0, "Semaphore", method);
      auto timeout = decoded<std::optional<double>>(args, 1, "Semaphore", method);
      if (!block) timeout = 0.0;
      if (!wait_for_caller(lock, released_, timeout, context, [&] { return value_ > 0; }))
        return wire::save(false);
      --value_;
      return wire::save(true);
    }
    if (method == "release") {
      if (maximum_ >= 0 && value_ >= maximum_)
        throw ValueError("BoundedSemaphore released too many times");
      ++value_;
      released_.notify_one();
      return {};
    }
    if (method == "get_value") return wire::save(value_);
    no_such_method("Semaphore", method);
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  int value_;
  int maximum_;
};

class ManagedEvent final : public ManagedObject {
 public:
  std::string call(CallContext& context, std::string_view method, std::vector<std::string>& args) override {
    std::unique_lock lock(mutex_);
    if (method == "is_set") return wire::save(flag_);
    if (method == "set") {
      flag_ = true;
      changed_.notify_all();
      return {};
    }
    if (method == "clear") {
      flag_ = false;
      return {};
    }
    if (method == "wait") {
      auto timeout = decoded<std::optional<double>>(args, 0, "Event", method);
      return wire::save(wait_for_caller(lock, changed_, timeout, context, [&] { return flag_; }));
    }
    no_such_method("Event", method);
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool flag_ = false;
};

class ManagedCondition final : public ManagedObject {
 public:
  explicit ManagedCondition(std::shared_ptr<ManagedLock> lock) : lock_(std::move(lock)) {}

  std::string call(CallContext& context, std::string_view method, std::vector<std::string>& args) override {
    if (method == "acquire" || method == "release") return lock_->call(context, method, args);
    if (method == "wait")
      return wire::save(wait(context, decoded<std::optional<double>>(args, 0, "Condition", method)));
    if (method == "notify" || method == "notify_all") {
      if (!lock_->held_by(context.client))
        throw ValueError("cannot notify on a Condition whose lock this caller does not hold");
      int n = method == "notify" ? decoded<int>(args, 0, "Condition", method) : -1;
      std::lock_guard lock(mutex_);
      for (auto it = waiters_.begin(); it != waiters_.end() && n != 0; --n) {
        **it = true;
        it = waiters_.erase(it);
      }
      notified_.notify_all();
      return {};
    }
    no_such_method("Condition", method);
  }

 private:
  bool wait(CallContext& context, std::optional<double> timeout) {
    auto notified = std::make_shared<bool>(false);
    std::unique_lock lock(mutex_);
    waiters_.push_back(notified);  // before the lock goes, so no notify can slip past
    int held = 0;
    try {
      held = lock_->release_all(context.client);
    } catch (...) {
      waiters_.remove(notified);
      throw;
    }
    bool woken = false;
    try {
      woken = wait_for_caller(lock, notified_, timeout, context, [&] { return *notified; });
    } catch (const CallerGone&) {
      waiters_.remove(notified);
      throw;
    }
    if (!woken) waiters_.remove(notified);
    lock.unlock();
    lock_->acquire(context, std::nullopt, held);
    return woken;
  }

  std::shared_ptr<ManagedLock> lock_;
  std::mutex mutex_;
  std::condition_variable notified_;
  std::list<std::shared_ptr<bool>> waiters_;
};

class ManagedBarrier final : public ManagedObject {
 public:
  ManagedBarrier(int parties, std::optional<double> timeout) : parties_(parties), timeout_(timeout) {
    if (parties < 1) throw ValueError("a Barrier needs at least 1 party");
  }

  std::string call(CallContext& context, std::string_view method, std::vector<std::string>& args) override {
    std::unique_lock lock(mutex_);
    if (method == "wait") {
      auto timeout = decoded<std::optional<double>>(args, 0, "Barrier", method);
      return wire::save(wait(lock, context, timeout ? timeout : timeout_));
    }
    if (method == "abort") {
      broken_ = true;
      changed_.notify_all();
      return {};
    }
    if (method == "reset") {
      if (count_ > 0) failed_.insert(generation_);
      ++generation_;
      count_ = 0;
      broken_ = false;
      changed_.notify_all();
      return {};
    }
    if (method == "parties") return wire::save(parties_);
    if (method == "n_waiting") return wire::save(count_);
    if (method == "broken") return wire::save(broken_);
    no_such_method("Barrier", method);
  }

 private:
  int wait(std::unique_lock<std::mutex>& lock, CallContext& context, std::optional<double> timeout) {
    if (broken_) throw BrokenBarrierError("the barrier is broken");
    std::uint64_t generation = generation_;
    int index = count_++;
    if (count_ == parties_) {
      ++generation_;
      count_ = 0;
      changed_.notify_all();
      return index;
    }
    bool passed = false;
    try {
      passed = wait_for_caller(lock, changed_, timeout, context,
                               [&] { return generation_ != generation || broken_; });
    } catch (const CallerGone&) {
      if (generation_ == generation) --count_;  // it no longer waits
      throw;
    }
    if (failed_.count(generation)) throw BrokenBarrierError("the barrier was reset while waiting");
    if (generation_ != generation) return index;
    if (!passed) {  // the timeout breaks it for everyone, as in Python
      broken_ = true;
      changed_.notify_all();
    }
    if (generation_ == generation) --count_;
    throw BrokenBarrierError(passed ? "the barrier was aborted" : "the barrier's wait timed out");
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  int parties_;
  std::optional<double> timeout_;
  int count_ = 0;
  std::uint64_t generation_ = 0;
  std::set<std::uint64_t> failed_;
  bool broken_ = false;
};

}  // namespace

std::shared_ptr<ManagedObject> make_managed_lock(CallContext&, std::vector<std::string>&) {
  return std::make_shared<ManagedLock>(false);
}
std::shared_ptr<ManagedObject> make_managed_rlock(CallContext&, std::vector<std::string>&) {
  return std::make_shared<ManagedLock>(true);
}
std::shared_ptr<ManagedObject> make_managed_semaphore(CallContext&, std::vector<std::string>& args) {
  return std::make_shared<ManagedSemaphore>(decoded<int>(args, 0, "Semaphore", "Semaphore"), false);
}
std::shared_ptr<ManagedObject> make_managed_bounded_semaphore(CallContext&, std::vector<std::string>& args) {
  return std::make_shared<ManagedSemaphore>(decoded<int>(args, 0, "BoundedSemaphore", "BoundedSemaphore"), true);
}
std::shared_ptr<ManagedObject> make_managed_event(CallContext&, std::vector<std::string>&) {
  return std::make_shared<ManagedEvent>();
}
std::shared_ptr<ManagedObject> make_managed_condition(CallContext& context, std::vector<std::string>& args) {
  if (args.empty()) return std::make_shared<ManagedCondition>(std::make_shared<ManagedLock>(true));
  std::uint64_t lock_id = decoded<std::uint64_t>(args, 0, "Condition", "Condition");
  auto lock = std::dynamic_pointer_cast<ManagedLock>(context.find(lock_id));
  if (!lock) throw ValueError("a manager Condition's lock must be a Lock or RLock of the same manager");
  return std::make_shared<ManagedCondition>(std::move(lock));
}
std::shared_ptr<ManagedObject> make_managed_barrier(CallContext&, std::vector<std::string>& args) {
  return std::make_shared<ManagedBarrier>(decoded<int>(args, 0, "Barrier", "Barrier"),
                                          decoded<std::optional<double>>(args, 1, "Barrier", "Barrier"));
}

}  // namespace mproc::detail
