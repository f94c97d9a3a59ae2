// Seed 002, section 2: ten processes decrement a shared Array element under an RLock and print
// it: say hi 9 ... say hi 0. Each holds the lock for a second, as in Python; --sleep=S changes it.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "example_args.hpp"

static void func(int i, mproc::Array<int> lis, mproc::RLock lc, double sleep_seconds) {
  (void)i;
  lc.acquire();
  lis[0] = lis[0] - 1;
  std::this_thread::sleep_for(std::chrono::duration<double>(sleep_seconds));  // time.sleep(1)
  std::printf("say hi %d\n", lis[0]);
  std::fflush(stdout);
  lc.release();
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  double sleep_seconds = sleep_flag(argc, argv, 1.0);
  mproc::Array<int> array(1);  // Array('i', 1)
  array[0] = 10;
  mproc::RLock lock;
  for (int i = 0; i < 10; ++i) {
    mproc::Process p(func, i, array, lock, sleep_seconds);
    p.start();
  }
}
