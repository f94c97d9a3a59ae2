#include "mproc/detail/queue_core.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <exception>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "mproc/errors.hpp"
#include "mproc/logging.hpp"
#include "mproc/platform/channel.hpp"
#include "mproc/platform/ipc_sync.hpp"
#include "mproc/platform/shared_memory.hpp"
#include "core/throw_error.hpp"

namespace mproc::detail {
namespace {

constexpr std::uint32_t control_magic = 0x4d505251;  // "MPRQ"
constexpr std::size_t control_size = 4096;
constexpr std::uint64_t min_capacity = 64 * 1024;
constexpr std::uint64_t shrink_above = 64ull << 20;  // an empty ring larger than this is freed
constexpr std::size_t length_size = 8;               // each item: 8-byte length, then the bytes

// One complete description of the ring. Changes are written to the spare copy and published
// by flipping `current`, one store: a process killed mid-change leaves the old copy in force.
struct RingState {
  std::uint64_t head = 0;      // offset of the oldest item
  std::uint64_t used = 0;      // bytes in use from head (wrapping)
  std::uint64_t capacity = 0;  // size of the file
  std::uint64_t count = 0;     // items
  std::uint64_t unfinished = 0;  // JoinableQueue: items put and not yet task_done
};

struct Control {
  std::uint32_t magic;
  std::int32_t reserved;
  std::int64_t maxsize;
  std::atomic<std::uint32_t> current;
  RingState state[2];
  // How many processes wait on each semaphore; a hint for how many posts are worth making.
  // A waiter that was killed leaves it too high, which only costs a spurious wake-up.
  std::uint32_t getters_waiting;
  std::uint32_t putters_waiting;
  std::uint32_t joiners_waiting;
  // The live count, readable without the lock: a getter spins on it briefly before sleeping.
  std::atomic<std::uint64_t> approx_count;
};
static_assert(sizeof(Control) <= control_size);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);

using Clock = std::chrono::steady_clock;

// Milliseconds left until `deadline` (nullopt: forever, -1).
int remaining_ms(const std::optional<Clock::time_point>& deadline) {
  if (!deadline) return -1;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 2000000000));
}

std::optional<Clock::time_point> deadline_for(bool block, std::optional<double> timeout) {
  if (!block) return Clock::now();
  if (!timeout) return std::nullopt;
  double seconds = std::max(0.0, std::min(*timeout, 1e9));
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace

struct QueueCore::Impl {
  platform::mapped_region region;
  native_handle file = invalid_handle;
  platform::ipc_mutex mutex;
  platform::ipc_semaphore not_empty;
  platform::ipc_semaphore not_full;
  platform::ipc_semaphore all_done;
  Handles handles{};

  ~Impl() {
    platform::unmap_shared_file(view);
    platform::close_semaphore(all_done);
    platform::close_semaphore(not_full);
    platform::close_semaphore(not_empty);
    platform::close_mutex(mutex);
    platform::close_shared_file(file);
    platform::release_region(region);
  }

  Control& control() { return *static_cast<Control*>(region.address); }
  RingState live() { return control().state[control().current.load(std::memory_order_acquire)]; }
  void publish(const RingState& next) {
    Control& c = control();
    std::uint32_t spare = 1 - c.current.load(std::memory_order_relaxed);
    c.state[spare] = next;
    c.current.store(spare, std::memory_order_release);
    c.approx_count.store(next.count, std::memory_order_relaxed);
  }

  // Holds the mutex for a scope. A previous owner that died mid-operation left the state
  // consistent (see `publish`), so that is only worth a log line.
  class Guard {
   public:
    Guard(Impl& impl, int timeout_ms) : impl_(impl) {
      auto status = platform::lock_mutex(impl.mutex, timeout_ms);
      locked_ = status != platform::lock_status::timed_out;
      if (status == platform::lock_status::owner_died)
        get_logger()->warn("a process died while using a queue; the queue stays consistent");
    }
    ~Guard() {
      if (locked_) platform::unlock_mutex(impl_.mutex);
    }
    explicit operator bool() const { return locked_; }

   private:
    Impl& impl_;
    bool locked_;
  };

  // This process's view of the ring, remapped whenever the ring's capacity changed.
  platform::file_view view;

  char* ring(std::uint64_t capacity) {
    if (view.size != capacity) {
      platform::unmap_shared_file(view);
      if (capacity > 0)
        throw_error(platform::map_shared_file(file, static_cast<std::size_t>(capacity), view),
                    "cannot map the queue's storage");
    }
    return static_cast<char*>(view.address);
  }

  void write_ring(const RingState& s, std::uint64_t pos, const char* data, std::size_t size) {
    char* base = ring(s.capacity);
    pos %= s.capacity;
    std::size_t first = static_cast<std::size_t>(std::min<std::uint64_t>(size, s.capacity - pos));
    std::memcpy(base + pos, data, first);
    std::memcpy(base, data + first, size - first);
  }

  void read_ring(const RingState& s, std::uint64_t pos, char* data, std::size_t size) {
    const char* base = ring(s.capacity);
    pos %= s.capacity;
    std::size_t first = static_cast<std::size_t>(std::min<std::uint64_t>(size, s.capacity - pos));
    std::memcpy(data, base + pos, first);
    std::memcpy(data + first, base, size - first);
  }

  // Makes room for `need` more bytes: a bigger file, and the part of the ring that wrapped
  // around to the start copied behind the old end, so the ring is contiguous again. Until the
  // new state is published, the old one still describes valid data.
  void grow(RingState& s, std::uint64_t need) {
    std::uint64_t capacity = std::max({s.capacity * 2, s.used + need, min_capacity});
    capacity = (capacity + 4095) & ~std::uint64_t{4095};
    throw_error(platform::shared_file_resize(file, capacity), "cannot grow the queue's storage");
    char* base = ring(capacity);
    std::uint64_t end = s.head + s.used;
    if (s.capacity > 0 && end > s.capacity)
      std::memcpy(base + s.capacity, base, static_cast<std::size_t>(end - s.capacity));
    s.capacity = capacity;
  }
};

QueueCore::QueueCore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
QueueCore::~QueueCore() = default;

std::shared_ptr<QueueCore> QueueCore::create(std::int64_t maxsize) {
  auto impl = std::make_unique<Impl>();
  throw_error(platform::create_region(control_size, impl->region), "cannot create a queue");
  throw_error(platform::create_shared_file(impl->file), "cannot create a queue's storage");
  throw_error(platform::create_mutex(impl->mutex), "cannot create a queue's lock");
  throw_error(platform::create_semaphore(0, impl->not_empty), "cannot create a queue's semaphore");
  throw_error(platform::create_semaphore(0, impl->not_full), "cannot create a queue's semaphore");
  throw_error(platform::create_semaphore(0, impl->all_done), "cannot create a queue's semaphore");
  Control& c = impl->control();
  c.magic = control_magic;
  c.maxsize = maxsize > 0 ? maxsize : 0;
  impl->handles = {impl->region.handle, impl->file, impl->mutex.handle,
                   impl->not_empty.handle, impl->not_full.handle, impl->all_done.handle};
  return std::shared_ptr<QueueCore>(new QueueCore(std::move(impl)));
}

std::shared_ptr<QueueCore> QueueCore::adopt(const Handles& h) {
  auto impl = std::make_unique<Impl>();
  // Each open takes its handle over, even when it fails; later ones are closed here.
  auto close_from = [&](std::size_t i) {
    for (; i < handle_count; ++i) {
      if (i == 1) platform::close_shared_file(h[i]);
      else platform::close_os_object(h[i]);
    }
  };
  if (auto ec = platform::map_region(h[0], control_size, impl->region)) {
    close_from(1);
    throw_error(ec, "cannot open a queue received from another process");
  }
  impl->file = h[1];
  platform::open_mutex(h[2], impl->mutex);
  platform::open_semaphore(h[3], impl->not_empty);
  platform::open_semaphore(h[4], impl->not_full);
  platform::open_semaphore(h[5], impl->all_done);
  if (impl->control().magic != control_magic || impl->mutex.handle == invalid_handle ||
      impl->not_empty.handle == invalid_handle || impl->not_full.handle == invalid_handle ||
      impl->all_done.handle == invalid_handle)
    throw SerializationError("a queue received from another process is not usable (corrupted or "
                             "out of resources)");
  impl->handles = h;
  return std::shared_ptr<QueueCore>(new QueueCore(std::move(impl)));
}

const QueueCore::Handles& QueueCore::handles() const noexcept { return impl_->handles; }

QueueCore::Kinds QueueCore::kinds() noexcept {
  auto shared = platform::shared_object_kind();
  auto sync = platform::ipc_object_kind();
  return {shared, shared, sync, sync, sync, sync};
}

std::int64_t QueueCore::maxsize() const noexcept { return impl_->control().maxsize; }

void QueueCore::put(std::string_view item, bool block, std::optional<double> timeout) {
  Impl& q = *impl_;
  Control& c = q.control();
  auto deadline = deadline_for(block, timeout);
  const std::uint64_t need = length_size + item.size();
  bool waiting = false;
  for (;;) {
    {
      Impl::Guard guard(q, remaining_ms(deadline));
      if (!guard) throw Full("the queue stayed full until the timeout");
      if (waiting) --c.putters_waiting;
      waiting = false;
      RingState s = q.live();
      if (c.maxsize == 0 || s.count < static_cast<std::uint64_t>(c.maxsize)) {
        if (s.capacity - s.used < need) q.grow(s, need);
        std::uint64_t tail = s.head + s.used;
        unsigned char length[length_size];
        for (std::size_t i = 0; i < length_size; ++i)
          length[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(item.size()) >> (8 * i));
        q.write_ring(s, tail, reinterpret_cast<const char*>(length), length_size);
        q.write_ring(s, tail + length_size, item.data(), item.size());
        s.used += need;
        s.count += 1;
        s.unfinished += 1;
        q.publish(s);
        if (c.getters_waiting > 0) (void)platform::release_semaphore(q.not_empty);
        return;
      }
      if (remaining_ms(deadline) == 0)
        throw Full(block ? "the queue stayed full until the timeout" : "the queue is full");
      ++c.putters_waiting;
      waiting = true;
    }
    (void)platform::acquire_semaphore(q.not_full, remaining_ms(deadline));  // Then look again.
  }
}

std::string QueueCore::get(bool block, std::optional<double> timeout) {
  std::string item;
  get_into(block, timeout, [](void* out, std::string_view bytes) { static_cast<std::string*>(out)->assign(bytes); },
           &item);
  return item;
}

void QueueCore::get_into(bool block, std::optional<double> timeout, Decoder decode, void* context) {
  Impl& q = *impl_;
  Control& c = q.control();
  auto deadline = deadline_for(block, timeout);
  bool waiting = false;
  bool spun = false;
  for (;;) {
    {
      Impl::Guard guard(q, remaining_ms(deadline));
      if (!guard) throw Empty("the queue stayed empty until the timeout");
      if (waiting) --c.getters_waiting;
      waiting = false;
      RingState s = q.live();
      if (s.count > 0) {
        unsigned char length[length_size];
        q.read_ring(s, s.head, reinterpret_cast<char*>(length), length_size);
        std::uint64_t size = 0;
        for (std::size_t i = 0; i < length_size; ++i) size |= static_cast<std::uint64_t>(length[i]) << (8 * i);
        if (s.used < length_size || size > s.used - length_size)
          throw SerializationError("the queue's storage is corrupted (an item longer than the queue)");
        // Decoded in place when the item is contiguous in the ring, else from a copy.
        std::uint64_t start = (s.head + length_size) % s.capacity;
        std::exception_ptr failure;
        try {
          if (start + size <= s.capacity) {
            decode(context, std::string_view(q.ring(s.capacity) + start, static_cast<std::size_t>(size)));
          } else {
            std::string copy(static_cast<std::size_t>(size), '\0');
            q.read_ring(s, start, copy.data(), copy.size());
            decode(context, copy);
          }
        } catch (...) {
          failure = std::current_exception();  // Still taken: a bad item must not block the queue.
        }
        s.head = (s.head + length_size + size) % s.capacity;
        s.used -= length_size + size;
        s.count -= 1;
        if (s.count == 0) {
          s.head = 0;  // Start again from the beginning: the file's hot part stays small.
          s.used = 0;
          if (s.capacity > shrink_above) {
            std::uint64_t old = s.capacity;
            s.capacity = 0;
            q.publish(s);  // First no longer refer to the storage, then free it.
            (void)q.ring(0);
            // Windows cannot shrink a file others still map: then the storage just stays.
            if (platform::shared_file_resize(q.file, 0)) s.capacity = old;
          }
        }
        q.publish(s);
        if (c.putters_waiting > 0 && c.maxsize > 0) (void)platform::release_semaphore(q.not_full);
        if (failure) std::rethrow_exception(failure);
        return;
      }
      if (remaining_ms(deadline) == 0)
        throw Empty(block ? "the queue stayed empty until the timeout" : "the queue is empty");
      if (!spun) {
        spun = true;
      } else {
        ++c.getters_waiting;
        waiting = true;
      }
    }
    if (!waiting) {
      // A producer that is mid-stream usually delivers within microseconds: look a few times
      // before paying for a sleep and a wake-up.
      for (int i = 0; i < 200 && c.approx_count.load(std::memory_order_relaxed) == 0; ++i)
        std::this_thread::yield();
      continue;
    }
    (void)platform::acquire_semaphore(q.not_empty, remaining_ms(deadline));  // Then look again.
  }
}

std::size_t QueueCore::qsize() {
  Impl::Guard guard(*impl_, -1);
  return static_cast<std::size_t>(impl_->live().count);
}

bool QueueCore::empty() { return qsize() == 0; }

bool QueueCore::full() {
  std::int64_t max = maxsize();
  return max > 0 && qsize() >= static_cast<std::size_t>(max);
}

void QueueCore::task_done() {
  Impl& q = *impl_;
  Impl::Guard guard(q, -1);
  RingState s = q.live();
  if (s.unfinished == 0) throw ValueError("task_done() called more times than there were items");
  s.unfinished -= 1;
  q.publish(s);
  Control& c = q.control();
  if (s.unfinished == 0 && c.joiners_waiting > 0)
    (void)platform::release_semaphore(q.all_done, c.joiners_waiting);
}

void QueueCore::join() {
  Impl& q = *impl_;
  Control& c = q.control();
  bool waiting = false;
  for (;;) {
    {
      Impl::Guard guard(q, -1);
      if (waiting) --c.joiners_waiting;
      if (q.live().unfinished == 0) return;
      ++c.joiners_waiting;
      waiting = true;
    }
    (void)platform::acquire_semaphore(q.all_done, -1);
  }
}

}  // namespace mproc::detail
