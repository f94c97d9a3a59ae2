// The concurrent.futures prime-checking example (see ../futures/primes.cpp for the Python) as
// mpi4py.futures runs it: on an MPI job's ranks under mpiexec, on local processes alone.
//
//   example_mpi_primes                 ProcessPoolExecutor, cpu_count() local workers
//   mpiexec -n 4 example_mpi_primes    MPIPoolExecutor, ranks 1-3 check the numbers
#include <cmath>
#include <cstdint>
#include <iostream>
#include <vector>

#include "mproc/mpi.hpp"
#include "mproc/mproc.hpp"

static const std::vector<std::int64_t> PRIMES = {
    112272535095293,
    112582705942171,
    112272535095293,
    115280095190773,
    115797848077099,
    1099726899285419};

static bool is_prime(std::int64_t n) {
  if (n < 2) return false;
  if (n == 2) return true;
  if (n % 2 == 0) return false;

  auto sqrt_n = static_cast<std::int64_t>(std::floor(std::sqrt(static_cast<double>(n))));
  for (std::int64_t i = 3; i < sqrt_n + 1; i += 2)
    if (n % i == 0) return false;
  return true;
}

static void check(mproc::ProcessPoolExecutor& executor) {
  auto number = PRIMES.begin();
  for (bool prime : executor.map(is_prime, PRIMES))
    std::cout << *number++ << " is prime: " << (prime ? "True" : "False") << std::endl;
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);  // under mpiexec, ranks 1..N-1 serve tasks in here
  if (mproc::mpi::launched()) {
    mproc::MPIPoolExecutor executor;
    check(executor);
  } else {
    mproc::ProcessPoolExecutor executor;
    check(executor);
  }
}
