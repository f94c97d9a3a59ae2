// Manager dict: a child doing `d["k"] = i` then `d["k"]` (a set+get pair: two round trips to the
// manager's server), beside Python's Manager().dict() and the OS limit (two round trips of a
// small message over a raw AF_UNIX socketpair between two processes), in one run. A report, not
// a test: it always exits 0.
//
// Usage: bench_manager [--quick] [--markdown=PATH]
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <mproc/mproc.hpp>

#include "bench_common.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

void set_get_pairs(mproc::DictProxy<std::string, int> d, int n, mproc::Queue<double> rate) {
  d["k"] = -1;  // connect before timing
  auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i) {
    d["k"] = i;
    int v = d["k"];
    if (v != i) std::abort();
  }
  rate.put(n / seconds_since(t0));
}

double mproc_pairs_per_s(const std::string& method, int n) {
  auto manager = mproc::Manager(method);
  auto d = manager.dict<std::string, int>();
  mproc::Queue<double> rate;
  mproc::Process p(mproc::ProcessOptions{{}, {}, method}, set_get_pairs, d, n, rate);
  p.start();
  double r = rate.get();
  p.join();
  return r;
}

// Two round trips of a 64-byte message per pair over a socketpair: the kernel's floor for a
// request/reply protocol between two processes.
double os_pairs_per_s(int n) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 0;
  char buf[64] = {};
  pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    for (int i = 0; i < 2 * n; ++i) {
      if (read(sv[1], buf, sizeof buf) != sizeof buf) _exit(1);
      if (write(sv[1], buf, sizeof buf) != sizeof buf) _exit(1);
    }
    _exit(0);
  }
  close(sv[1]);
  auto t0 = clock_type::now();
  for (int i = 0; i < 2 * n; ++i) {
    if (write(sv[0], buf, sizeof buf) != sizeof buf) break;
    if (read(sv[0], buf, sizeof buf) != sizeof buf) break;
  }
  double rate = n / seconds_since(t0);
  close(sv[0]);
  waitpid(pid, nullptr, 0);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  auto [quick, markdown] = parse_bench_args(argc, argv);
  int n = quick ? 2000 : 100000;
  double os_rate = os_pairs_per_s(n);
  std::string json = run_python_baseline("bench_manager.py", std::to_string(quick ? 1000 : 20000));
  double py_rate = json_number(json, "pairs_per_s");

  std::string table =
      "| workload | method | unit | mproc | OS limit | mproc vs OS | Python | mproc vs Python |\n"
      "|---|---|---|---|---|---|---|---|\n";
  bool all_met = true;
  for (const std::string method : {"fork", "spawn", "forkserver"}) {
    double ours = mproc_pairs_per_s(method, n);
    all_met = all_met && py_rate > 0 && ours >= 10 * py_rate;
    table += "| dict set+get from a child | " + method + " | pairs/s | " + format_number(ours) + " | " +
             format_number(os_rate) + " (socketpair) | " + format_number(ours / os_rate) + "x | " +
             (py_rate > 0 ? format_number(py_rate) : "python3 not found") + " | " +
             (py_rate > 0 ? format_number(ours / py_rate) + "x better" : "-") + " |\n";
  }
  std::printf("Manager dict (%d set+get pairs from a child; Python: Manager().dict(), fork)\n\n%s\n", n,
              table.c_str());
  std::printf("dict set+get at least 10x Python: %s\n", all_met ? "yes" : "no");
  std::printf("benchmark complete\n");
  if (!markdown.empty()) std::ofstream(markdown) << table;
  return 0;
}
