// Seed 000, "进程池举例", 异步调用: Pool(4).apply_async(calc, i) for i in 0..3, all four at once.
// The parent prints each AsyncResult object (not the result: it has not arrived yet), as the
// seed prints `<multiprocessing.pool.ApplyResult object at 0x...> ~~~~~`.
//   example_000_pool_apply_async              no one reads the results; the workers log their sums
//   example_000_pool_apply_async --callback   a callback in the parent logs "(i, sum) in callback"
//
// Usage: example_000_pool_apply_async [loop count, default 100000000] [--callback]
//                                     [--start-method=fork|spawn|forkserver]
// (the tutorial counts to 1,000,000,000; pass that to compare with its timings).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "example_args.hpp"
#include "python_logging.hpp"

static std::tuple<int, long long> calc(int i, long long count) {
  volatile long long sum = 0;  // volatile: the loop is the work, the compiler must keep it
  for (long long n = 0; n < count; ++n) sum = sum + 1;
  log_info(std::to_string(sum));
  return {i, sum};  // the worker must return the result for the callback to receive it
}

// The seed's lambda ret: logging.info('{} in callback'.format(ret)); it runs in the parent.
static void on_result(const std::tuple<int, long long>& ret) {
  log_info("(" + std::to_string(std::get<0>(ret)) + ", " + std::to_string(std::get<1>(ret)) +
           ") in callback");
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  long long count = count_argument(argc, argv, 100000000);
  bool with_callback = has_flag(argc, argv, "--callback");
  auto start = std::chrono::steady_clock::now();

  mproc::Pool pool(4);
  // Kept so that each printed object has its own address, as in Python (whose pool keeps them).
  std::vector<mproc::AsyncResult<std::tuple<int, long long>>> results;
  results.reserve(4);
  for (int i = 0; i < 4; ++i) {
    // apply_async returns at once, before calc has run; close() and join() wait for the tasks
    if (with_callback)
      results.push_back(pool.apply_async(mproc::callback(on_result), calc, i, count));
    else
      results.push_back(pool.apply_async(calc, i, count));
    std::ostringstream where;  // Python writes the address as 0x..., on every platform
    where << std::hex << reinterpret_cast<std::uintptr_t>(&results.back());
    std::printf("<mproc::AsyncResult object at 0x%s> ~~~~~\n", where.str().c_str());
  }
  pool.close();
  pool.join();

  std::chrono::duration<double> delta = std::chrono::steady_clock::now() - start;
  std::printf("%f\n", delta.count());
  std::printf("===end===\n");
}
