// CPython docs, multiprocessing, "Using a pool of workers":
//
//   from multiprocessing import Pool, TimeoutError
//   import time
//   import os
//
//   def f(x):
//       return x*x
//
//   if __name__ == '__main__':
//       # start 4 worker processes
//       with Pool(processes=4) as pool:
//
//           # print "[0, 1, 4,..., 81]"
//           print(pool.map(f, range(10)))
//
//           # print same numbers in arbitrary order
//           for i in pool.imap_unordered(f, range(10)):
//               print(i)
//
//           # evaluate "f(20)" asynchronously
//           res = pool.apply_async(f, (20,))      # runs in *only* one process
//           print(res.get(timeout=1))             # prints "400"
//
//           # evaluate "os.getpid()" asynchronously
//           res = pool.apply_async(os.getpid, ()) # runs in *only* one process
//           print(res.get(timeout=1))             # prints the PID of that process
//
//           # launching multiple evaluations asynchronously *may* use more processes
//           multiple_results = [pool.apply_async(os.getpid, ()) for i in range(4)]
//           print([res.get(timeout=1) for res in multiple_results])
//
//           # make a single worker sleep for 10 seconds
//           res = pool.apply_async(time.sleep, (10,))
//           try:
//               print(res.get(timeout=1))
//           except TimeoutError:
//               print("We lacked patience and got a multiprocessing.TimeoutError")
//
//           print("For the moment, the pool remains available for more work")
//
//       # exiting the 'with'-block has stopped the pool
//       print("Now the pool is closed and no longer available")
#include <chrono>
#include <iostream>
#include <ranges>
#include <thread>
#include <vector>

#include "../example_args.hpp"

static int f(int x) { return x * x; }

static void time_sleep(double seconds) {  // time.sleep
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  {
    // start 4 worker processes
    mproc::Pool pool(4);

    // print "[0, 1, 4,..., 81]"
    std::cout << mproc::repr(pool.map(f, std::views::iota(0, 10))) << std::endl;

    // print same numbers in arbitrary order
    for (int i : pool.imap_unordered(f, std::views::iota(0, 10))) std::cout << i << std::endl;

    // evaluate "f(20)" asynchronously
    auto res = pool.apply_async(f, 20);     // runs in *only* one process
    std::cout << res.get(1.0) << std::endl;  // prints "400"

    // evaluate "os.getpid()" asynchronously
    auto pid = pool.apply_async(mproc::getpid);  // runs in *only* one process
    std::cout << pid.get(1.0) << std::endl;      // prints the PID of that process

    // launching multiple evaluations asynchronously *may* use more processes
    std::vector<mproc::AsyncResult<int>> multiple_results;
    for (int i = 0; i < 4; ++i) multiple_results.push_back(pool.apply_async(mproc::getpid));
    std::vector<int> pids;
    for (auto& r : multiple_results) pids.push_back(r.get(1.0));
    std::cout << mproc::repr(pids) << std::endl;

    // make a single worker sleep for 10 seconds
    auto sleeping = pool.apply_async(time_sleep, 10.0);
    try {
      sleeping.get(1.0);
      std::cout << "None" << std::endl;  // print(res.get()) of time.sleep's result
    } catch (const mproc::TimeoutError&) {
      std::cout << "We lacked patience and got a multiprocessing.TimeoutError" << std::endl;
    }

    std::cout << "For the moment, the pool remains available for more work" << std::endl;
  }  // the end of the block (the `with` block) terminates the pool, the sleeping worker too

  // exiting the 'with'-block has stopped the pool
  std::cout << "Now the pool is closed and no longer available" << std::endl;
}
