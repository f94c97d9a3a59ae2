#pragma once
// The untyped engine behind Queue, SimpleQueue and JoinableQueue.
//
// Items live in an anonymous shared file used as a growable ring buffer; a small shared
// control block says where the ring's head is, how much it holds and how many tasks are
// unfinished. A robust cross-process mutex guards both, and two semaphores wake blocked getters
// and putters. Consequences:
// - `put` returns once the item is in shared storage: a process may put and exit at once, and
//   a parent may join it before draining the queue (Python's classic deadlock) without losing
//   anything; there is no feeder thread to flush.
// - The state changes by writing a complete new copy and flipping one index, so a process
//   killed in the middle of `put` or `get` leaves the queue consistent for everyone else.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mproc/platform/native_handle.hpp"

namespace mproc::detail {

class QueueCore {
 public:
  static constexpr std::size_t handle_count = 6;
  using Handles = std::array<native_handle, handle_count>;
  using Kinds = std::array<handle_kind, handle_count>;

  /// A new, empty queue; `maxsize` <= 0 means unbounded.
  static std::shared_ptr<QueueCore> create(std::int64_t maxsize);
  /// The same queue in a process that received its handles (takes ownership of them).
  static std::shared_ptr<QueueCore> adopt(const Handles& handles);
  ~QueueCore();
  QueueCore(const QueueCore&) = delete;
  QueueCore& operator=(const QueueCore&) = delete;

  /// Stores an item; with `block`, waits up to `timeout` seconds (forever for nullopt) while the
  /// queue is full, else throws Full.
  void put(std::string_view item, bool block, std::optional<double> timeout);
  /// Takes the oldest item; with `block`, waits up to `timeout` seconds (forever for nullopt)
  /// while empty, else throws Empty.
  std::string get(bool block, std::optional<double> timeout);

  /// The same, but hands the item's bytes to `decode` while they are still in the queue's
  /// storage (no intermediate copy). The item is taken even if `decode` throws.
  using Decoder = void (*)(void* context, std::string_view bytes);
  void get_into(bool block, std::optional<double> timeout, Decoder decode, void* context);

  std::size_t qsize();
  bool empty();
  bool full();
  std::int64_t maxsize() const noexcept;

  /// JoinableQueue: marks one item as processed; ValueError if more than were put.
  void task_done();
  /// JoinableQueue: waits until every item put has been marked done.
  void join();

  const Handles& handles() const noexcept;
  static Kinds kinds() noexcept;

 private:
  struct Impl;
  explicit QueueCore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mproc::detail
