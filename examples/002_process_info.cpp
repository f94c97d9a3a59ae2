// Seed 002, the first example: five processes print their name, "module" and pids.
//   python: print("这里是 ", multiprocessing.current_process().name) ... (no join: the exit rules wait)
#include <cstdio>

#include "example_args.hpp"

static void foo(int i) {
  (void)i;
  std::printf("这里是  %s\n", mproc::current_process().name().c_str());
  // Python prints __mp_main__ in a spawned child and __main__ in a forked one.
  std::printf("模块名称: %s\n", mproc::get_start_method() == "fork" ? "__main__" : "__mp_main__");
  std::printf("父进程 id: %d\n", mproc::parent_process()->pid());
  std::printf("当前子进程 id: %d\n", mproc::current_process().pid());
  std::printf("------------------------\n");
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  for (int i = 0; i < 5; ++i) mproc::Process(foo, i).start();
}
