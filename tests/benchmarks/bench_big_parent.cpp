// What starting a process costs in a big program (issue 13): start+join of a process doing
// nothing while the parent holds 10 MB, 1 GB and 4 GB of touched memory, for mproc's fork, spawn
// and forkserver; beside the OS limit (posix_spawn of this binary, which does not copy the
// parent), fork+exec of this binary (what copying the page tables costs), and Python's three
// methods with the same ballast, in one run. Also Pool(4) start+close+join under spawn.
// A report, not a test: it always exits 0.
//
// Usage: bench_big_parent [--quick] [--markdown=PATH]
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <mproc/mproc.hpp>

#include "bench_common.hpp"

extern char** environ;

namespace {

using clock_type = std::chrono::steady_clock;

double median_ms(int iterations, const std::function<void()>& once) {
  once();  // Warm-up: the runtime, the forkserver, the page cache.
  std::vector<double> ms;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = clock_type::now();
    once();
    ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void nothing() {}

std::string self_path;

void wait_for(pid_t pid) {
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

void os_posix_spawn() {
  char* argv[] = {self_path.data(), const_cast<char*>("--exit-now"), nullptr};
  pid_t pid;
  if (posix_spawn(&pid, self_path.c_str(), nullptr, nullptr, argv, environ) == 0) wait_for(pid);
}

void os_fork_exec() {
  pid_t pid = fork();
  if (pid == 0) {
    execl(self_path.c_str(), self_path.c_str(), "--exit-now", static_cast<char*>(nullptr));
    _exit(127);
  }
  wait_for(pid);
}

struct Row {
  long size_mb;
  double fork, spawn, forkserver, posix_spawn, fork_exec, pool;
  double py_fork = 0, py_spawn = 0, py_forkserver = 0, py_pool = 0;  // 0: python3 missing
};

Row measure_size(long size_mb, int iterations) {
  // Touched, so it is resident and in the page tables, as a real program's heap is.
  std::vector<char> ballast(static_cast<std::size_t>(size_mb) << 20);
  std::memset(ballast.data(), 1, ballast.size());
  Row r{size_mb, 0, 0, 0, 0, 0, 0};
  auto start_join = [](const char* method) {
    return [ctx = mproc::get_context(method)] {
      auto p = ctx.Process(nothing);
      p.start();
      p.join();
    };
  };
  r.fork = median_ms(iterations, start_join("fork"));
  r.spawn = median_ms(iterations, start_join("spawn"));
  r.forkserver = median_ms(iterations, start_join("forkserver"));
  r.posix_spawn = median_ms(iterations, os_posix_spawn);
  r.fork_exec = median_ms(iterations, os_fork_exec);
  r.pool = median_ms(std::max(3, iterations / 3), [] {
    auto pool = mproc::get_context("spawn").Pool(4);
    pool.close();
    pool.join();
  });
  ballast = {};  // Python's copy of the ballast comes next: not both at once.
  std::string json = run_python_baseline("bench_big_parent.py",
                                         std::to_string(size_mb) + " " + std::to_string(std::max(3, iterations / 2)));
  r.py_fork = json_number(json, "fork") * 1e3;
  r.py_spawn = json_number(json, "spawn") * 1e3;
  r.py_forkserver = json_number(json, "forkserver") * 1e3;
  r.py_pool = json_number(json, "pool_spawn") * 1e3;
  return r;
}

std::string ms(double v) { return v > 0 ? format_number(v) : "-"; }
std::string ratio(double a, double b) { return a > 0 && b > 0 ? format_number(a / b) + "x" : "-"; }

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--exit-now") _exit(0);  // the OS-limit runs' child
  mproc::init(argc, argv);
  BenchArgs args = parse_bench_args(argc, argv);
  char resolved[4096];
  self_path = realpath("/proc/self/exe", resolved) ? resolved : argv[0];

  struct Size { long mb; int iterations; };
  std::vector<Size> sizes = args.quick ? std::vector<Size>{{10, 5}, {256, 3}}
                                       : std::vector<Size>{{10, 30}, {1024, 20}, {4096, 10}};
  std::vector<Row> rows;
  for (const Size& s : sizes) rows.push_back(measure_size(s.mb, s.iterations));

  std::string table =
      "| parent RSS | mproc fork | mproc spawn | mproc forkserver | posix_spawn(self) (OS limit) | "
      "fork+exec(self) | spawn / OS | Python fork | Python spawn | Python forkserver | "
      "Python spawn / mproc spawn |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  std::string pool_table =
      "| parent RSS | mproc Pool(4) spawn | / one mproc spawn | Python Pool(4) spawn | Python / mproc |\n"
      "|---|---|---|---|---|\n";
  bool spawn_near_os = true;
  for (const Row& r : rows) {
    std::string size = r.size_mb >= 1024 ? std::to_string(r.size_mb / 1024) + " GB" : std::to_string(r.size_mb) + " MB";
    table += "| " + size + " | " + ms(r.fork) + " | " + ms(r.spawn) + " | " + ms(r.forkserver) + " | " +
             ms(r.posix_spawn) + " | " + ms(r.fork_exec) + " | " + ratio(r.spawn, r.posix_spawn) + " | " +
             ms(r.py_fork) + " | " + ms(r.py_spawn) + " | " + ms(r.py_forkserver) + " | " +
             ratio(r.py_spawn, r.spawn) + " |\n";
    pool_table += "| " + size + " | " + ms(r.pool) + " | " + ratio(r.pool, r.spawn) + " | " + ms(r.py_pool) +
                  " | " + ratio(r.py_pool, r.pool) + " |\n";
    spawn_near_os = spawn_near_os && r.spawn <= 2 * r.posix_spawn;
  }
  const Row& big = rows.back();
  std::printf("Start+join of a process doing nothing, ms (medians), by the parent's resident memory\n\n%s\n",
              table.c_str());
  std::printf("Pool(4) start+close+join under spawn, ms (medians)\n\n%s\n", pool_table.c_str());
  std::printf("spawn within 2x of posix_spawn(self) at every size: %s\n", spawn_near_os ? "yes" : "no");
  std::printf("at the largest size spawn at least 20x faster than Python's spawn: %s\n",
              big.py_spawn > 0 && big.py_spawn >= 20 * big.spawn ? "yes" : "no");
  std::printf("Pool(4) at the largest size within 4x of one spawn: %s\n", big.pool <= 4 * big.spawn ? "yes" : "no");
  std::printf("benchmark complete\n");
  if (!args.markdown.empty()) std::ofstream(args.markdown) << table << "\n" << pool_table;
  return 0;
}
