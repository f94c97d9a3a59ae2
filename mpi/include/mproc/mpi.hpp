#pragma once
// mpi4py.futures for C++: a Pool's or an executor's workers on the ranks of an MPI job, so a
// program that outgrew one machine runs on many with the same code:
//
//     mpiexec -n 8 --hostfile hosts ./app args...
//
// `mproc::init(argc, argv)` sees the launch: rank 0 returns and runs `main`; ranks 1..N-1 serve
// tasks until rank 0's program ends, then leave with exit code 0. Link `mproc::mpi` (built when
// CMake finds MPI) for this header; a program without it does not link MPI.
//
// What differs from local workers (the interface is the same):
// - A worker rank that dies (a crash, a signal) ends the whole job: mpiexec (Open MPI's
//   default) prints which rank died and exits non-zero, and rank 0 is killed with the others.
//   A task calling `mproc::exit(n)` only ends its session: its Future fails with
//   WorkerLostError and a new session starts on that rank.
// - A rank cannot be killed without the job: Cancel::terminate and task_timeout ask the task to
//   stop (its std::stop_token works as locally), then fail its Future after the grace period
//   while the rank finishes the task unheard before it serves again.
// - Arguments, results and initializer arguments travel as bytes: OS handles (a Lock, a Queue, a
//   Value) cannot go to another machine and are refused.
#include <memory>

#include "mproc/executor.hpp"
#include "mproc/pool.hpp"

namespace mproc {
namespace mpi {

/// Whether this program was started by mpiexec (Open MPI's, or a PMI launcher's variables).
bool launched() noexcept;
/// This process's rank in the job (0 outside mpiexec).
int rank() noexcept;
/// How many ranks the job has (1 outside mpiexec).
int world_size() noexcept;

/// Where workers run: the job's ranks other than 0, one worker each
/// (`PoolOptions{.host = mproc::mpi::ranks()}`). Workers then default to the free ranks.
std::shared_ptr<mproc::detail::WorkerHost> ranks();

}  // namespace mpi

/// mpi4py.futures' `MPIPoolExecutor`: a ProcessPoolExecutor whose workers are the job's ranks
/// 1..N-1 (`max_workers` 0: all of them). Outside mpiexec, or with one rank, it has no workers
/// and its constructor says so (RuntimeError).
class MPIPoolExecutor : public ProcessPoolExecutor {
 public:
  explicit MPIPoolExecutor(int max_workers = 0);
  explicit MPIPoolExecutor(ExecutorOptions options);
};

}  // namespace mproc
