// Seed 004, "进程池": the parent prints its pid, a pool runs task01..task03, each of which sleeps
// and prints its parent's pid, its own pid and its argument.
//   example_004_pool           Pool(3), three tasks of 2 s each: three workers at once
//   example_004_pool --reuse   Pool(5), seven tasks, task01 sleeping 10 s: task06 and task07
//                              run in workers that finished earlier tasks (same pid printed)
// Under forkserver the workers' parent is the fork server, so 父进程PID is its pid, as Python's
// os.getppid() shows there too.
// --sleep=S makes the 2-second sleeps S seconds (task01's 10 seconds of --reuse: 5×S).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "example_args.hpp"

static void report(const std::string& args, double seconds) {
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));  // time.sleep
  std::printf("父进程PID: %d 子进程PID: %d 接收参数： %s\n", mproc::getppid(), mproc::getpid(),
              args.c_str());
  std::fflush(stdout);  // the workers share the parent's stdout: print each line as it comes
}

// Three tasks as in the seed (same body, different functions).
static void task01(std::string args, double seconds) { report(args, seconds); }
static void task02(std::string args, double seconds) { report(args, seconds); }
static void task03(std::string args, double seconds) { report(args, seconds); }

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  double sleep_seconds = sleep_flag(argc, argv, 2.0);
  bool reuse = has_flag(argc, argv, "--reuse");

  std::printf("这里是主线程,PID为： %d\n", mproc::getpid());
  std::fflush(stdout);  // before the workers print
  if (!reuse) {
    mproc::Pool p(3);  // the number of processes
    p.apply_async(task01, std::string("hello,task01!"), sleep_seconds);  // add a task
    p.apply_async(task02, std::string("hello,task02!"), sleep_seconds);
    p.apply_async(task03, std::string("hello,task03!"), sleep_seconds);
    p.close();  // no more tasks
    p.join();   // wait for every task
  } else {
    mproc::Pool p(5);
    p.apply_async(task01, std::string("hello,task01!"), 5 * sleep_seconds);  // time.sleep(10)
    p.apply_async(task02, std::string("hello,task02!"), sleep_seconds);
    p.apply_async(task03, std::string("hello,task03!"), sleep_seconds);
    p.apply_async(task03, std::string("hello,task04!"), sleep_seconds);
    p.apply_async(task03, std::string("hello,task05!"), sleep_seconds);
    p.apply_async(task03, std::string("hello,task06!"), sleep_seconds);
    p.apply_async(task03, std::string("hello,task07!"), sleep_seconds);
    p.close();
    p.join();
  }
  std::printf("主线程执行完毕\n");
}
