// Seed 001, "锁": ten processes print under one Lock, so lines never mix.
#include <cstdio>

#include "example_args.hpp"

static void f(mproc::Lock l, int i) {
  l.acquire();
  try {
    std::printf("hello world %d\n", i);
    std::fflush(stdout);
  } catch (...) {
    l.release();
    throw;
  }
  l.release();
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  mproc::Lock lock;
  for (int num = 0; num < 10; ++num) mproc::Process(f, lock, num).start();
}
