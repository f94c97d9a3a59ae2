// Seed 002, "3. 进程池 Pool 类": Pool(5) runs func(i) for i in 0..29 with apply_async; each task
// sleeps a second and prints "正在执行进程  i", five at a time. --sleep=S changes the second.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "example_args.hpp"

static void func(int args, double sleep_seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(sleep_seconds));  // time.sleep(1)
  std::printf("正在执行进程  %d\n", args);  // print("正在执行进程 ", args): two spaces
  std::fflush(stdout);  // the workers share the parent's stdout: print each line as it comes
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  double sleep_seconds = sleep_flag(argc, argv, 1.0);

  mproc::Pool p(5);  // a pool of 5 processes
  for (int i = 0; i < 30; ++i) p.apply_async(func, i, sleep_seconds);
  p.close();  // no more tasks; the workers end once the queued ones are done
  // p.terminate() instead would stop the workers at once
  p.join();
}
