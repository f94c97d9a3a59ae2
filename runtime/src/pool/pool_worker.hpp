#pragma once
// The loop a pool worker runs: the initializer once, then batches of tasks until told to stop.
#include <atomic>
#include <cstdint>
#include <functional>

#include "mproc/connection.hpp"
#include "pool/pool_wire.hpp"

namespace mproc::detail {

/// What a worker shows its pool without a message: the task it is running (0: none) and since
/// when (steady clock, which is system-wide). If the worker dies, the pool fails exactly that
/// task; a per-task timeout counts from `started_ns`.
struct WorkerSlot {
  std::uint64_t running = 0;
  std::int64_t started_ns = 0;
};

/// Runs the worker; returns when the pool says stop, after `maxtasks` tasks, or when the pool
/// is gone. `local_initializer` (fork only) replaces the serialized one.
void run_pool_worker(Connection pool, WorkerSlot* slot, const WorkerSettings& settings,
                     const std::function<void()>& local_initializer);

}  // namespace mproc::detail
