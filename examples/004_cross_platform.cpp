// Seed 004, "跨平台": one child prints its parent's pid, its own pid and its argument.
#include <cstdio>
#include <string>

#include "example_args.hpp"

static void task(std::string args) {
  std::printf("父进程PID: %d 子进程PID: %d 接收参数： %s\n", mproc::parent_process()->pid(),
              mproc::current_process().pid(), args.c_str());
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  std::printf("这里是主进程，PID为： %d\n", mproc::current_process().pid());
  std::fflush(stdout);
  mproc::Process p(task, std::string("hello,world!"));
  p.start();
  p.join();
  std::printf("主进程执行完毕\n");
}
