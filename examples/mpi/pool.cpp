// Seed 000's Pool examples ("进程池举例") on an MPI job's ranks, unchanged but for where the
// workers run: Pool(4).apply(calc, i) one call at a time (--sync), or apply_async for all four at
// once, with a callback in the parent (--callback).
//
//   example_mpi_pool [--sync] [--callback] [loop count, default 1000000]   (4 local processes)
//   mpiexec -n 5 example_mpi_pool [...]                   (rank 0 runs this, ranks 1-4 calc)
#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "../example_args.hpp"
#include "../python_logging.hpp"
#include "mproc/mpi.hpp"
#include "mproc/mproc.hpp"

static std::tuple<int, long long> calc(int i, long long count) {
  volatile long long sum = 0;  // volatile: the loop is the work, the compiler must keep it
  for (long long n = 0; n < count; ++n) sum = sum + 1;
  log_info(std::to_string(sum) + " on rank " + std::to_string(mproc::mpi::rank()));
  return {i, sum};
}

static void on_result(const std::tuple<int, long long>& ret) {
  log_info("(" + std::to_string(std::get<0>(ret)) + ", " + std::to_string(std::get<1>(ret)) +
           ") in callback");
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);  // under mpiexec, ranks 1..N-1 serve tasks in here
  long long count = count_argument(argc, argv, 1000000);
  auto start = std::chrono::steady_clock::now();

  // The one change from the local program: under mpiexec the workers are the job's ranks.
  mproc::PoolOptions options;
  options.processes = 4;
  if (mproc::mpi::launched()) {
    options.processes = 0;  // every worker rank
    options.host = mproc::mpi::ranks();
  }
  mproc::Pool pool(options);
  if (has_flag(argc, argv, "--sync")) {
    for (int i = 0; i < 4; ++i) {
      auto [index, sum] = pool.apply(calc, i, count);
      std::printf("(%d, %lld)\n", index, sum);
    }
  } else {
    std::vector<mproc::AsyncResult<std::tuple<int, long long>>> results;
    for (int i = 0; i < 4; ++i) {
      if (has_flag(argc, argv, "--callback"))
        results.push_back(pool.apply_async(mproc::callback(on_result), calc, i, count));
      else
        results.push_back(pool.apply_async(calc, i, count));
      std::printf("%s ~~~~~\n", mproc::repr(results.back()).c_str());
    }
  }
  pool.close();
  pool.join();

  std::chrono::duration<double> delta = std::chrono::steady_clock::now() - start;
  std::printf("%f\n", delta.count());
  std::printf("===end===\n");
}
