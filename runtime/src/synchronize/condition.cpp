// Condition: a table of waiter slots in shared memory, each slot a word its waiter sleeps on.
//
// CPython builds Condition from anonymous semaphores: notify posts one wake-up per sleeper and
// then waits for each to confirm. A sleeper killed inside wait() never confirms (notify hangs)
// and its post stays behind for whoever waits next (a wake-up without a notify). Here each
// waiter owns a slot, and a notify changes exactly the slots it wakes:
// - wait(): claims a free slot (under the condition's lock) with its pid, the start stamp of
//   its process and a ticket, marks it `sleeping`, releases the lock and sleeps on the slot's
//   state word until a notifier changes it or the timeout passes (then it marks the slot
//   `timed_out` itself; a compare-exchange decides a race with a notifier).
// - notify(n): under the lock, takes the sleeping slots oldest first. A slot whose process is
//   gone (its start stamp no longer matches) is freed, not woken; a living one goes from
//   `sleeping` to `notified` and its waiter is woken. Nothing is posted that a dead waiter
//   could leave behind, and nothing waits on another process.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "core/cached_pid.hpp"
#include "mproc/errors.hpp"
#include "mproc/platform/process_control.hpp"
#include "mproc/platform/shared_memory.hpp"
#include "mproc/platform/wake_word.hpp"
#include "mproc/synchronize.hpp"
#include "core/throw_error.hpp"

namespace mproc {
namespace detail {
namespace {

enum SlotState : std::uint32_t { free_slot = 0, sleeping = 1, notified = 2, timed_out = 3 };

struct WaiterSlot {
  std::atomic<std::uint32_t> state;  // the word the waiter sleeps on
  std::uint32_t ticket;              // order of arrival: notify wakes the oldest first
  std::int32_t pid;
  std::uint32_t reserved;
  std::uint64_t stamp;  // platform::process_start_stamp of the waiter's process
};

constexpr std::uint32_t slot_count = 1024;

// Zero-filled when created, which is a valid empty table. Slots are claimed and freed, and
// `used`/`next_ticket` change, only under the condition's lock; `state` also changes outside
// it (a waiter that times out), always by compare-exchange.
struct WaiterTableShared {
  std::uint64_t id;  // names the slots' wake events where the OS needs names (Windows)
  std::uint32_t used;  // slots [0, used) have been claimed at some time
  std::uint32_t next_ticket;
  WaiterSlot slots[slot_count];
};

static_assert(std::atomic<std::uint32_t>::is_always_lock_free, "waiter slots need lock-free atomics");

std::uint64_t own_stamp() {
  // Per thread, keyed by pid: a forked child is another process with a stamp of its own.
  struct Cache {
    int pid = 0;
    std::uint64_t stamp = 0;
  };
  static thread_local Cache cache;
  int pid = cached_pid();
  if (cache.pid != pid) cache = {pid, platform::process_start_stamp(pid)};
  return cache.stamp;
}

bool waiter_alive(const WaiterSlot& slot) {
  if (slot.pid == cached_pid()) return true;  // a thread of this process
  return platform::process_start_stamp(slot.pid) == slot.stamp;
}

std::uint64_t new_table_id() {
  static std::atomic<std::uint32_t> counter{0};
  auto now = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(cached_pid())) << 32) ^ (now << 12) ^
         counter.fetch_add(1);
}

}  // namespace

struct WaiterTable {
  platform::mapped_region region;
  ~WaiterTable() { platform::release_region(region); }
  WaiterTableShared& shared() { return *static_cast<WaiterTableShared*>(region.address); }
};

std::shared_ptr<WaiterTable> create_waiter_table() {
  auto t = std::make_shared<WaiterTable>();
  throw_error(platform::create_region(sizeof(WaiterTableShared), t->region), "cannot create a condition");
  t->shared().id = new_table_id();
  return t;
}

std::shared_ptr<WaiterTable> adopt_waiter_table(native_handle region) {
  auto t = std::make_shared<WaiterTable>();
  throw_error(platform::map_region(region, sizeof(WaiterTableShared), t->region),
              "cannot open a condition received from another process");
  return t;
}

native_handle waiter_table_handle(const WaiterTable& t) { return t.region.handle; }

namespace {

// Under the lock. A slot left by a waiter that died after its wait ended is taken back too.
std::uint32_t claim_slot(WaiterTableShared& table) {
  for (int round = 0; round < 2; ++round) {
    for (std::uint32_t i = 0; i < table.used; ++i)
      if (table.slots[i].state.load(std::memory_order_acquire) == free_slot) return i;
    if (table.used < slot_count) return table.used++;
    // Full: free the slots of waiters that died, then look again.
    for (std::uint32_t i = 0; i < table.used; ++i)
      if (!waiter_alive(table.slots[i])) table.slots[i].state.store(free_slot, std::memory_order_release);
  }
  throw ValueError("Condition.wait(): " + std::to_string(slot_count) +
                   " threads and processes are already waiting on this Condition, the most it "
                   "can hold; use more Conditions (or a Barrier) for that many waiters");
}

// The sleeping slots, oldest first. Under the lock.
std::vector<std::uint32_t> sleepers_by_age(WaiterTableShared& table) {
  std::vector<std::uint32_t> found;
  for (std::uint32_t i = 0; i < table.used; ++i)
    if (table.slots[i].state.load(std::memory_order_acquire) == sleeping) found.push_back(i);
  // Tickets wrap after 2^32 waits: compare them as distances from the newest.
  std::uint32_t newest = table.next_ticket;
  std::sort(found.begin(), found.end(), [&](std::uint32_t a, std::uint32_t b) {
    return newest - table.slots[a].ticket > newest - table.slots[b].ticket;
  });
  return found;
}

}  // namespace
}  // namespace detail

Condition::Condition(std::optional<Lock> lock)
    : lock_(lock ? std::move(*lock) : RLock()), waiters_(detail::create_waiter_table()) {}

bool Condition::wait(std::optional<double> timeout) {
  if (!lock_.held_by_this_thread()) throw ValueError("must acquire() the condition before using wait()");
  auto& table = waiters_->shared();
  std::uint32_t index = detail::claim_slot(table);
  detail::WaiterSlot& slot = table.slots[index];
  slot.pid = detail::cached_pid();
  slot.stamp = detail::own_stamp();
  slot.ticket = table.next_ticket++;
  slot.state.store(detail::sleeping, std::memory_order_release);

  int ms = -1;
  if (timeout) ms = *timeout <= 0 ? 0 : static_cast<int>(std::min(*timeout * 1000.0 + 0.999, 2.0e9));
  int count = lock_.release_all();
  bool notified = platform::wait_on_word(slot.state, detail::sleeping, table.id, index, ms);
  if (!notified) {
    std::uint32_t expected = detail::sleeping;
    // A notifier that got there first has chosen this waiter: its notify counts.
    notified = !slot.state.compare_exchange_strong(expected, detail::timed_out, std::memory_order_acq_rel);
  }
  lock_.reacquire(count);
  slot.state.store(detail::free_slot, std::memory_order_release);
  return notified;
}

void Condition::notify(int n) {
  if (!lock_.held_by_this_thread()) throw ValueError("must acquire() the condition before using notify()");
  auto& table = waiters_->shared();
  int woken = 0;
  for (std::uint32_t index : detail::sleepers_by_age(table)) {
    if (woken >= n) break;
    detail::WaiterSlot& slot = table.slots[index];
    if (!detail::waiter_alive(slot)) {
      // Killed inside wait(): nobody will ever free its slot or take a wake-up for it.
      std::uint32_t expected = detail::sleeping;
      slot.state.compare_exchange_strong(expected, detail::free_slot, std::memory_order_acq_rel);
      continue;
    }
    std::uint32_t expected = detail::sleeping;
    if (!slot.state.compare_exchange_strong(expected, detail::notified, std::memory_order_acq_rel))
      continue;  // it timed out just now
    platform::wake_word(slot.state, table.id, index);
    ++woken;
  }
}

void Condition::notify_all() { notify(0x7fffffff); }

int Condition::waiters() const {
  // Read without the lock: a count for printing, as Python's is.
  auto& table = waiters_->shared();
  int n = 0;
  for (std::uint32_t i = 0; i < table.used && i < detail::slot_count; ++i)
    if (table.slots[i].state.load(std::memory_order_acquire) == detail::sleeping &&
        detail::waiter_alive(table.slots[i]))
      ++n;
  return n;
}

}  // namespace mproc
