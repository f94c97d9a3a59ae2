// Lock and Value: uncontended acquire+release beside a process-shared pthread mutex (the OS
// limit) and Python's Lock, and two processes incrementing a Value under its lock beside Python,
// in one run. A report, not a test: it always exits 0.
//
// Usage: bench_sync [--quick] [--markdown=PATH]
#include <pthread.h>
#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>

#include <mproc/mproc.hpp>

#include "bench_common.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

double mproc_lock_ns(int n) {
  mproc::Lock lock;
  auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i) {
    lock.acquire();
    lock.release();
  }
  return seconds_since(t0) / n * 1e9;
}

double pthread_lock_ns(int n) {
  void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  auto* m = static_cast<pthread_mutex_t*>(page);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  pthread_mutex_init(m, &attr);
  auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i) {
    pthread_mutex_lock(m);
    pthread_mutex_unlock(m);
  }
  double ns = seconds_since(t0) / n * 1e9;
  munmap(page, 4096);
  return ns;
}

void add(mproc::Value<int> v, int n) {
  for (int i = 0; i < n; ++i) {
    std::lock_guard<mproc::Lock> guard(v.get_lock());
    *v.get() += 1;
  }
}

double value_increments_per_s(int n) {
  mproc::Value<int> v(0);
  mproc::Process a(add, v, n), b(add, v, n);
  auto t0 = clock_type::now();
  a.start();
  b.start();
  a.join();
  b.join();
  return 2.0 * n / seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  mproc::set_start_method("fork");
  auto [quick, markdown] = parse_bench_args(argc, argv);
  int lock_n = quick ? 100000 : 5000000, inc_n = quick ? 20000 : 500000;
  double ours_lock = mproc_lock_ns(lock_n), os_lock = pthread_lock_ns(lock_n);
  double ours_inc = value_increments_per_s(inc_n);
  std::string json = run_python_baseline("bench_sync.py", std::to_string(quick ? 20000 : lock_n / 10) + " " +
                                                            std::to_string(quick ? 5000 : inc_n / 10));
  double py_lock = json_number(json, "lock_ns"), py_inc = json_number(json, "value_increments_per_s");

  std::string table =
      "| workload | unit | mproc | OS limit | mproc vs OS | Python | mproc vs Python |\n"
      "|---|---|---|---|---|---|---|\n";
  table += "| Lock acquire+release, uncontended | ns | " + format_number(ours_lock) + " | " +
           format_number(os_lock) + " (process-shared pthread mutex) | " + format_number(ours_lock / os_lock) +
           "x the time | " + (py_lock > 0 ? format_number(py_lock) : "python3 not found") + " | " +
           (py_lock > 0 ? format_number(py_lock / ours_lock) + "x better" : "-") + " |\n";
  table += "| Value += 1 under its lock, 2 processes | increments/s | " + format_number(ours_inc) + " | - | - | " +
           (py_inc > 0 ? format_number(py_inc) : "python3 not found") + " | " +
           (py_inc > 0 ? format_number(ours_inc / py_inc) + "x better" : "-") + " |\n";
  std::printf("Lock and Value (fork start method; %d lock iterations, %d increments per process)\n\n%s\n",
              lock_n, inc_n, table.c_str());
  auto yes = [](bool b) { return b ? "yes" : "no"; };
  std::printf("lock within 2x of a process-shared pthread mutex: %s\n", yes(ours_lock <= 2 * os_lock));
  std::printf("lock at least 20x better than Python: %s\n", yes(py_lock >= 20 * ours_lock));
  std::printf("Value increments at least 10x Python: %s\n", yes(ours_inc >= 10 * py_inc));
  std::printf("benchmark complete\n");
  if (!markdown.empty()) std::ofstream(markdown) << table;
  return 0;
}
