#pragma once
// The loop a pool worker runs: the initializer once, then batches of tasks until told to stop.
#include <atomic>
#include <cstdint>
#include <functional>

#include "mproc/connection.hpp"
#include "mproc/synchronize.hpp"
#include "pool/pool_wire.hpp"

namespace mproc::detail {

/// What a worker shows its pool without a message: the task it is running (0: none) and since
/// when (steady clock, which is system-wide). If the worker dies, the pool fails exactly that
/// task; a per-task timeout counts from `started_ns`.
struct WorkerSlot {
  std::uint64_t running = 0;
  std::int64_t started_ns = 0;
  /// Tasks whose stop was requested (an executor's Cancel::request): the pool writes an id at
  /// `cancel_count % size`, then bumps the count and rings the worker's doorbell. A ring, since
  /// at most `max_prefetch` tasks sit in one worker.
  std::uint64_t cancel_ids[64] = {};
  std::uint64_t cancel_count = 0;
};

/// Whether the pool asked the task `id` to stop.
bool stop_requested_in(const WorkerSlot* slot, std::uint64_t id);
/// The pool's side: asks the task `id` to stop (the caller then rings the doorbell).
void request_stop_in(WorkerSlot* slot, std::uint64_t id);

/// Runs the worker; returns when the pool says stop, after `maxtasks` tasks, or when the pool
/// is gone. `local_initializer` (fork only) replaces the serialized one.
/// `doorbell` (executors only) is released when a stop is requested in `slot`.
void run_pool_worker(Connection pool, WorkerSlot* slot, const WorkerSettings& settings,
                     const std::function<void()>& local_initializer, Semaphore* doorbell);

}  // namespace mproc::detail
