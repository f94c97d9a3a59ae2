// Seed 003, "Process对象": the parent and a child each print their pid and their parent's pid.
#include <cstdio>
#include <string>

#include "example_args.hpp"

static void get_process(const std::string& info) {
  std::printf("%s\n", info.c_str());
  std::printf("Process ID: %d\n", mproc::getpid());          // os.getpid()
  std::printf("Parent process ID: %d\n", mproc::getppid());  // os.getppid()
  std::fflush(stdout);
}

static void func(std::string name) {
  get_process("In func:");
  std::printf("Hello, %s\n", name.c_str());
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  get_process("In main:");
  mproc::Process p(func, std::string("marsloo"));
  p.start();  // 开始子进程
  p.join();   // 等待子进程结束
}
