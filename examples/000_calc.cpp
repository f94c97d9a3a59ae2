// Seed 000, "Process类": four processes counting to a large number, in parallel.
//
//   python: p = multiprocessing.Process(target=calc, args=(i,), name='calc-{}'.format(i))
//
// Usage: example_000_calc [loop count, default 100000000] [--start-method=fork|spawn|forkserver]
// (the tutorial counts to 1,000,000,000; pass that to compare with its timings).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <mproc/mproc.hpp>

#include "example_args.hpp"

static void calc(int i, long long count) {
  volatile long long sum = 0;  // volatile: the loop is the work, the compiler must keep it
  for (long long n = 0; n < count; ++n) sum = sum + 1;
  (void)i;
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  long long count = count_argument(argc, argv, 100000000);
  auto start = std::chrono::steady_clock::now();

  std::vector<mproc::Process> ps;
  for (int i = 0; i < 4; ++i) {
    ps.emplace_back(mproc::ProcessOptions{.name = "calc-" + std::to_string(i)}, calc, i, count);
    ps.back().start();
  }
  for (auto& p : ps) {
    p.join();
    std::printf("%s %d\n", p.name().c_str(), *p.exitcode());
  }

  std::chrono::duration<double> delta = std::chrono::steady_clock::now() - start;
  std::printf("%f\n", delta.count());
  std::printf("===end===\n");
}
