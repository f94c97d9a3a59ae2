// Seed 002, section 1.3: ten processes relay through a Queue(20): each takes the number the
// previous one left and puts its own.
#include <cstdio>

#include "example_args.hpp"

static void func(int i, mproc::Queue<int> q) {
  int ret = q.get();
  std::printf("进程%d 从队列里获取了一个%d，然后又向队列里放入了一个%d\n", i, ret, i);
  std::fflush(stdout);
  q.put(i);
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  mproc::Queue<int> lis(20);
  lis.put(0);
  for (int i = 0; i < 10; ++i) {
    mproc::Process p(func, i, lis);
    p.start();
  }
  // As in Python, the children are joined when the main process ends.
}
