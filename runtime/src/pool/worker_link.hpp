#pragma once
// Where a pool's worker runs, as the pool's handler thread sees it: a process on this machine
// (process_host.cpp), or a rank of an MPI job (the optional mproc_mpi library). The handler
// talks to every worker the same way, whatever the host: task batches go down a Connection and
// results come back up it (pool_wire.hpp), so the Pool and the executors have one core.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "mproc/connection.hpp"
#include "mproc/platform/pipe.hpp"
#include "mproc/process.hpp"
#include "pool/pool_wire.hpp"

namespace mproc::detail {

/// Who the workers serve: a Pool (daemonic `ForkPoolWorker-N`s), or a ProcessPoolExecutor
/// (`SpawnProcess-N`s that may start processes of their own, and whose tasks can be asked to
/// stop).
enum class WorkerKind { pool, executor };

/// One worker.
class WorkerLink {
 public:
  virtual ~WorkerLink() = default;
  /// Task batches go down it, results come back; it reads EOF once the worker ended.
  virtual Connection& pipe() = 0;
  /// A handle that becomes ready when the worker ended; none where the pipe's EOF says so.
  virtual std::optional<platform::handle_ref> sentinel() const = 0;
  /// The task it runs (0: none) and since when (steady clock, ns), where the worker shows it.
  /// None where it cannot: the pool then counts from when the task reached the worker's front.
  virtual std::optional<std::pair<std::uint64_t, std::int64_t>> running() const = 0;
  /// Asks the task `id`, sent to this worker, to stop (its std::stop_token).
  virtual void request_stop(std::uint64_t id) = 0;
  /// Whether kill() ends a running task. A remote rank's cannot be ended without the job: kill()
  /// there lets the worker go, and the task runs on to its end unheard.
  virtual bool can_kill() const = 0;
  virtual void terminate() = 0;
  virtual void kill() = 0;
  /// After its sentinel or EOF: waits until it is gone (a process: reaped).
  virtual void join() = 0;
  /// Its exit code where it has one (negative: the signal that killed it).
  virtual std::optional<int> exitcode() const = 0;
  /// For messages: "ForkPoolWorker-2 (pid 123)", "MPI rank 3 (pid 77 on node1)".
  virtual std::string title() const = 0;
  /// For messages: "exited with code 3", "was killed by signal 9".
  virtual std::string how_it_ended() const = 0;
  /// The local process, if the worker is one (Pool::workers()).
  virtual const Process* process() const = 0;
};

/// Starts workers.
class WorkerHost {
 public:
  virtual ~WorkerHost() = default;
  /// How many workers a pool asking for 0 gets.
  virtual int default_count() = 0;
  /// Starts one worker running `settings` (serialized by the host if it needs to).
  /// `local_initializer` is the fork start method's initializer, run in the forked child.
  virtual std::unique_ptr<WorkerLink> start(const WorkerSettings& settings, WorkerKind kind,
                                            const std::function<void()>& local_initializer) = 0;
  /// Whether workers share this machine's memory at start (fork): a fork-only initializer may
  /// run there.
  virtual bool runs_local_initializer() const = 0;
  /// For messages: "the fork start method", "MPI ranks".
  virtual std::string where() const = 0;
};

/// Processes on this machine, under `start_method`.
std::shared_ptr<WorkerHost> make_process_host(const std::string& start_method);

}  // namespace mproc::detail
