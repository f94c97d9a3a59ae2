// Seed 000, "进程池举例", 同步调用: Pool(4).apply(calc, i) for i in 0..3, one after another; each
// worker logs its sum and returns (i, sum), which the parent prints as Python prints a tuple.
//
// Usage: example_000_pool_apply [loop count, default 1000 as in the seed]
//                               [--start-method=fork|spawn|forkserver]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <tuple>

#include "example_args.hpp"
#include "python_logging.hpp"

static std::tuple<int, long long> calc(int i, long long count) {
  volatile long long sum = 0;  // volatile: the loop is the work, the compiler must keep it
  for (long long n = 0; n < count; ++n) sum = sum + 1;
  log_info(std::to_string(sum));
  return {i, sum};  // the worker returns the result, the parent receives it from apply
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  long long count = count_argument(argc, argv, 1000);
  auto start = std::chrono::steady_clock::now();

  mproc::Pool pool(4);
  for (int i = 0; i < 4; ++i) {
    // apply blocks until this task's result is back: the calls run one at a time
    auto [index, sum] = pool.apply(calc, i, count);
    std::printf("(%d, %lld)\n", index, sum);
  }
  pool.close();
  pool.join();

  std::chrono::duration<double> delta = std::chrono::steady_clock::now() - start;
  std::printf("%f\n", delta.count());
  std::printf("===end===\n");
}
