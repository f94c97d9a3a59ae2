// Seed 003, "防止访问冲突": ten processes print their number under a Lock.
#include <cstdio>

#include "example_args.hpp"

static void lock_func(mproc::Lock l, int number) {
  l.acquire();
  std::printf("Number is: %d\n", number);
  std::fflush(stdout);
  l.release();
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  mproc::Lock l;
  for (int number = 0; number < 10; ++number) mproc::Process(lock_func, l, number).start();
}
