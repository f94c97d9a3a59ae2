#include "mproc/barrier.hpp"

#include <mutex>

#include "mproc/platform/module_address.hpp"

namespace mproc {

Barrier::Barrier(int parties, void (*action)(), std::optional<double> timeout)
    : cond_(Lock()), state_(std::size_t{2}), parties_(parties), timeout_(timeout), action_(action) {
  if (parties < 1) throw ValueError("a Barrier needs at least one party");
  if (action != nullptr) {
    platform::module_address where;
    if (platform::locate_code(reinterpret_cast<const void*>(action), where))
      throw ValueError("cannot locate the Barrier's action in a loaded module");
    action_module_ = where.module;
    action_offset_ = where.offset + 1;  // 0 means "no action"
  }
}

void (*Barrier::resolve_action(const std::string& module, std::uint64_t offset))() {
  if (offset == 0) return nullptr;
  const void* address = nullptr;
  if (platform::resolve_code({module, offset - 1}, address))
    throw SerializationError("cannot find the Barrier's action in this process (another binary?)");
  return reinterpret_cast<void (*)()>(const_cast<void*>(address));
}

int Barrier::wait(std::optional<double> timeout) {
  if (!timeout) timeout = timeout_;
  std::lock_guard<Condition> guard(cond_);
  enter();  // Block while the barrier drains.
  int index = count();
  count() += 1;
  try {
    if (index + 1 == parties_) release();
    else wait_to_trip(timeout);
  } catch (...) {
    count() -= 1;
    exit();
    throw;
  }
  count() -= 1;
  exit();
  return index;
}

void Barrier::enter() {
  while (state() == -1 || state() == 1) cond_.wait();
  if (state() < 0) throw BrokenBarrierError("the barrier is broken");
}

void Barrier::release() {
  try {
    if (action_ != nullptr) action_();
    state() = 1;
    cond_.notify_all();
  } catch (...) {
    break_barrier();
    throw;
  }
}

void Barrier::wait_to_trip(std::optional<double> timeout) {
  if (!cond_.wait_for([this] { return state() != 0; }, timeout)) {
    break_barrier();
    throw BrokenBarrierError("the barrier timed out waiting for the other parties and is now broken");
  }
  if (state() < 0) throw BrokenBarrierError("the barrier was broken while waiting");
}

void Barrier::exit() {
  if (count() == 0 && (state() == -1 || state() == 1)) {
    state() = 0;
    cond_.notify_all();
  }
}

void Barrier::break_barrier() {
  state() = -2;
  cond_.notify_all();
}

void Barrier::reset() {
  std::lock_guard<Condition> guard(cond_);
  if (count() > 0) {
    if (state() == 0 || state() == -2) state() = -1;
  } else {
    state() = 0;
  }
  cond_.notify_all();
}

void Barrier::abort() {
  std::lock_guard<Condition> guard(cond_);
  break_barrier();
}

int Barrier::n_waiting() const {
  std::lock_guard<Condition> guard(cond_);
  return state() == 0 ? count() : 0;
}

bool Barrier::broken() const {
  std::lock_guard<Condition> guard(cond_);
  return state() == -2;
}

}  // namespace mproc
