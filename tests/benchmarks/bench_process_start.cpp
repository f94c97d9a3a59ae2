// Start+join latency of a process that does nothing: mproc's fork, spawn and forkserver beside
// the OS limit (a raw fork+_exit+waitpid, a raw fork+exec of this binary) and Python 3's
// multiprocessing doing the same, all in one run. A report, not a test: it always exits 0.
//
// Usage: bench_process_start [--quick] [--iterations=N] [--markdown=PATH]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <mproc/mproc.hpp>

#include "bench_common.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct Figure {
  double median_us = 0;
  double mean_us = 0;
};

Figure measure(int iterations, const std::function<void()>& once) {
  for (int i = 0; i < 3; ++i) once();  // Warm-up: the runtime, the forkserver, page cache.
  std::vector<double> us;
  for (int i = 0; i < iterations; ++i) {
    auto t0 = clock_type::now();
    once();
    us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], std::accumulate(us.begin(), us.end(), 0.0) / us.size()};
}

void nothing() {}

void raw_fork() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  int status;
  waitpid(pid, &status, 0);
}

std::string self_path;

void raw_fork_exec() {
  pid_t pid = fork();
  if (pid == 0) {
    execl(self_path.c_str(), self_path.c_str(), "--exit-now", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
}

// Python's medians in µs, by method; empty if python3 is missing or failed.
std::map<std::string, double> python_figures(int fork_n, int other_n) {
  std::string json = run_python_baseline("bench_process_start.py", std::to_string(fork_n) + " " + std::to_string(other_n));
  std::map<std::string, double> out;
  for (const char* m : {"fork", "spawn", "forkserver"}) {  // {"fork": {"median": x, ...
    auto at = json.find(std::string("\"") + m + "\": {\"median\": ");
    if (at != std::string::npos) out[m] = std::atof(json.c_str() + json.find(": ", json.find("median", at)) + 2) * 1e6;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--exit-now") _exit(0);  // raw fork+exec's child
  mproc::init(argc, argv);
  bool quick = false;
  int iterations = 0;
  std::string markdown;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a.rfind("--iterations=", 0) == 0) iterations = std::atoi(a.c_str() + 13);
    else if (a.rfind("--markdown=", 0) == 0) markdown = a.substr(11);
  }
  self_path = std::string(argv[0]);
  char resolved[4096];
  if (realpath(argv[0], resolved)) self_path = resolved;
  int fork_n = iterations ? iterations : (quick ? 10 : 300);
  int other_n = iterations ? iterations : (quick ? 10 : 100);

  std::map<std::string, Figure> ours;
  for (const char* method : {"fork", "spawn", "forkserver"}) {
    auto ctx = mproc::get_context(method);
    ours[method] = measure(std::string(method) == "fork" ? fork_n : other_n, [&] {
      auto p = ctx.Process(nothing);
      p.start();
      p.join();
    });
  }
  Figure os_fork = measure(fork_n, raw_fork);
  Figure os_exec = measure(other_n, raw_fork_exec);
  auto python = python_figures(quick ? 5 : fork_n / 3, quick ? 3 : other_n / 5);

  std::string table =
      "| method | mproc median µs | OS limit median µs | mproc / OS | Python median µs | Python / mproc |\n"
      "|---|---|---|---|---|---|\n";
  char line[512];
  bool fork_ok = false, spawn_ok = false, python_ok = !python.empty();
  for (const char* method : {"fork", "spawn", "forkserver"}) {
    const Figure& os = std::string(method) == "fork" ? os_fork : os_exec;
    double ratio = ours[method].median_us / os.median_us;
    if (std::string(method) == "fork") fork_ok = ratio <= 2.0;
    if (std::string(method) == "spawn") spawn_ok = ratio <= 2.0;
    std::string py = "python3 not found", py_ratio = "-";
    if (python.count(method)) {
      py = std::to_string(static_cast<long>(python[method]));
      double r = python[method] / ours[method].median_us;
      py_ratio = std::to_string(r).substr(0, std::to_string(r).find('.') + 2) + "x";
      python_ok = python_ok && r >= 10.0;
    }
    std::snprintf(line, sizeof line, "| %s | %.0f | %.0f (%s) | %.2f | %s | %s |\n", method,
                  ours[method].median_us, os.median_us,
                  std::string(method) == "fork" ? "fork+_exit+waitpid" : "fork+exec+waitpid", ratio,
                  py.c_str(), py_ratio.c_str());
    table += line;
  }
  std::printf("Process start+join (median of %d fork / %d spawn+forkserver iterations)\n\n%s\n",
              fork_n, other_n, table.c_str());
  std::printf("fork within 2x of raw fork: %s\n", fork_ok ? "yes" : "no");
  std::printf("spawn within 2x of raw fork+exec: %s\n", spawn_ok ? "yes" : "no");
  std::printf("each at least 10x faster than Python: %s\n", python_ok ? "yes" : "no");
  if (!markdown.empty()) std::ofstream(markdown) << table;
  return 0;
}
