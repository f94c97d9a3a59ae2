#pragma once
// `Queue`, `SimpleQueue` and `JoinableQueue` (Python's `multiprocessing` queues), typed: items
// are of type T (any cereal-serializable type; use std::variant for mixed items). Copies refer
// to the same queue; a queue passes to children as a `Process` argument under every start
// method. See detail/queue_core.hpp for how it works and why nothing put is ever lost.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "mproc/detail/block_argument.hpp"
#include "mproc/detail/handle_passing.hpp"
#include "mproc/detail/printable.hpp"
#include "mproc/detail/queue_core.hpp"
#include "mproc/detail/transfer_hint.hpp"
#include "mproc/errors.hpp"
#include "mproc/serialization.hpp"

namespace mproc {

namespace detail {

// What the three queue types share: the engine, the local "closed" flag, serialization.
template <class T>
class QueueBase {
  static_assert(detail::transferable_or_explained<T>(),
                "mproc: queue items must be serializable by cereal (add a `serialize` member)");

 public:
  /// Whether `close()` was called on this handle (other processes' handles stay open).
  bool closed() const noexcept { return closed_; }

  /// This process will put no more items (Python's `close`). Items already put stay.
  void close() noexcept { closed_ = true; }

  template <class Archive>
  void save(Archive& archive) const {
    const auto& handles = core().handles();
    const auto kinds = QueueCore::kinds();
    for (std::size_t i = 0; i < QueueCore::handle_count; ++i)
      archive(export_handle(handles[i], kinds[i], "queue"));
  }
  template <class Archive>
  void load(Archive& archive) {
    QueueCore::Handles handles{};
    for (std::size_t i = 0; i < QueueCore::handle_count; ++i) {
      std::uint32_t index = 0;
      archive(index);
      handles[i] = import_handle(index, "queue");
    }
    core_ = QueueCore::adopt(handles);
    closed_ = false;
  }

 protected:
  explicit QueueBase(std::int64_t maxsize) : core_(QueueCore::create(maxsize)) {}

  void put_item(const T& item, bool block, std::optional<double> timeout) {
    check_open("put to");
    // Serialized into a buffer this thread keeps, so a put allocates nothing once warm.
    thread_local std::string buffer;
    buffer.clear();
    wire::save_into(buffer, item);
    core().put(buffer, block, timeout);
    if (buffer.capacity() > (std::size_t{64} << 20)) std::string().swap(buffer);  // Not forever.
  }
  T get_item(bool block, std::optional<double> timeout) {
    check_open("get from");
    T value{};
    core().get_into(block, timeout, [](void* out, std::string_view bytes) { wire::load(bytes, *static_cast<T*>(out)); },
                    &value);
    return value;
  }
  QueueCore& core() const {
    if (!core_) throw ValueError("this queue object was moved from");
    return *core_;
  }
  void check_open(const char* what) const {
    if (closed_) throw ValueError(std::string("cannot ") + what + " a closed queue");
  }

 private:
  std::shared_ptr<QueueCore> core_;
  bool closed_ = false;
};

}  // namespace detail

/// Python's `multiprocessing.Queue(maxsize)`: many producers and consumers across processes.
template <class T>
class Queue : public detail::QueueBase<T> {
 public:
  /// `maxsize` <= 0: unbounded.
  explicit Queue(std::int64_t maxsize = 0) : detail::QueueBase<T>(maxsize) {}

  /// Adds an item. With `block`, waits up to `timeout` seconds (forever for nullopt) for room
  /// in a bounded queue; throws Full if there is none. Once it returns, the item is stored in
  /// the queue itself: this process may exit at once without losing it.
  void put(const T& item, bool block = true, std::optional<double> timeout = std::nullopt) {
    this->put_item(item, block, timeout);
  }
  /// Refused at build time: the number would become `block` (detail/block_argument.hpp).
  template <detail::mistaken_block_argument B>
  void put(const T&, B, std::optional<double> = std::nullopt) {
    static_assert(detail::refused_block_argument<B>,
                  "mproc: Queue::put(item, 5.0) would mean block=true with no timeout (the "
                  "second argument is `bool block`); write put(item, true, 5.0) for a 5 s "
                  "timeout, or put_nowait(item) not to wait");
  }
  void put_nowait(const T& item) { put(item, false); }

  /// Removes and returns the oldest item. With `block`, waits up to `timeout` seconds (forever
  /// for nullopt); throws Empty if none came.
  T get(bool block = true, std::optional<double> timeout = std::nullopt) {
    return this->get_item(block, timeout);
  }
  /// Refused at build time: the number would become `block` (detail/block_argument.hpp).
  template <detail::mistaken_block_argument B>
  T get(B, std::optional<double> = std::nullopt) {
    static_assert(detail::refused_block_argument<B>,
                  "mproc: Queue::get(5.0) would mean block=true with no timeout (the first "
                  "argument is `bool block`); write get(true, 5.0) for a 5 s timeout, or "
                  "get_nowait() not to wait");
    return get();
  }
  T get_nowait() { return get(false); }

  /// Number of items (exact at the moment of the call; it may change right after).
  std::size_t qsize() const { return this->core().qsize(); }
  bool empty() const { return this->core().empty(); }
  bool full() const { return this->core().full(); }
  std::int64_t maxsize() const { return this->core().maxsize(); }

  /// `<Queue(maxsize=0, qsize=3)>` (`<JoinableQueue(...)>`; `, closed` after this handle's
  /// close()). Python shows only the object's address; the size says more.
  std::string repr() const {
    return std::string(is_joinable ? "<JoinableQueue(maxsize=" : "<Queue(maxsize=") +
           std::to_string(maxsize()) + ", qsize=" + std::to_string(qsize()) +
           (this->closed() ? ", closed)>" : ")>");
  }

  /// Python waits here for its feeder thread to flush. mproc has none (`put` stores the item
  /// before returning), so this only checks that `close()` was called, as Python does.
  void join_thread() const {
    if (!this->closed()) throw ValueError("join_thread() needs close() first (as in Python)");
  }
  /// Nothing to cancel: no item waits in a buffer of this process.
  void cancel_join_thread() const noexcept {}

 protected:
  bool is_joinable = false;
};

/// Python's `SimpleQueue`: unbounded, `put`/`get`/`empty`/`close`.
template <class T>
class SimpleQueue : public detail::QueueBase<T> {
 public:
  SimpleQueue() : detail::QueueBase<T>(0) {}
  void put(const T& item) { this->put_item(item, true, std::nullopt); }
  T get() { return this->get_item(true, std::nullopt); }
  bool empty() const { return this->core().empty(); }
  /// `<SimpleQueue(empty=True)>`.
  std::string repr() const { return empty() ? "<SimpleQueue(empty=True)>" : "<SimpleQueue(empty=False)>"; }
};

/// Python's `JoinableQueue`: a Queue whose consumers call `task_done()` per item, so that
/// `join()` can wait until every item put has been processed.
template <class T>
class JoinableQueue : public Queue<T> {
 public:
  explicit JoinableQueue(std::int64_t maxsize = 0) : Queue<T>(maxsize) { this->is_joinable = true; }
  /// One item taken with `get` is processed. ValueError if called more often than items put.
  void task_done() { this->core().task_done(); }
  /// Blocks until every item put has had its `task_done()`.
  void join() { this->core().join(); }
};

}  // namespace mproc
