// Seed 003, "进程池": Pool(processes=4) with map, imap_unordered, apply_async(...).get(timeout=1)
// and a task that outlasts its get's timeout ("Timeout error!"). The seed is Python 2; this
// prints what its Python 3 version prints (print(r, end=' ') for `print r,`).
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "example_args.hpp"

static int func(int x) { return x * x; }

static void sleep_seconds(double seconds) {  // time.sleep
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  mproc::Pool p(4);

  std::vector<int> range10{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};  // range(10)
  std::printf("%s\n", mproc::repr(p.map(func, range10)).c_str());

  for (int r : p.imap_unordered(func, range10)) std::printf("%d ", r);
  std::printf("\n");

  // asynchronous
  auto res = p.apply_async(func, 20);
  std::printf("%d\n", res.get(1.0));

  auto pid = p.apply_async(mproc::getpid);  // os.getpid runs in a worker: a worker's pid
  std::printf("%d\n", pid.get(1.0));

  std::vector<mproc::AsyncResult<int>> results;
  for (int i = 0; i < 4; ++i) results.push_back(p.apply_async(mproc::getpid));
  std::vector<int> pids;
  for (auto& r : results) pids.push_back(r.get(1.0));
  std::printf("%s\n", mproc::repr(pids).c_str());

  auto sleeping = p.apply_async(sleep_seconds, 3.0);
  try {
    sleeping.get(1.0);  // the task sleeps 3 s: no result within 1 s
    std::printf("None\n");  // what print(res.get()) shows for time.sleep's result
  } catch (const mproc::TimeoutError&) {
    std::printf("Timeout error!\n");
  }
  // Leaving main destroys the pool, which terminates it (the sleeping task with it), as
  // Python's pool is terminated when the program ends.
}
