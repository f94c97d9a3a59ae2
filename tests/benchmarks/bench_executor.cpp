// ProcessPoolExecutor beside Python 3's concurrent.futures.ProcessPoolExecutor doing the same,
// in one run, per start method: submit of a trivial function with every result collected, map
// over 1,000,000 ints (chunksize 10,000 on both sides: Python's default of 1 would take it
// minutes), as_completed over 10,000 futures, and ProcessPoolExecutor(2) start + two tasks +
// shutdown, beside the OS limit of that cycle (two processes started, one int sent to each and
// back, both reaped: raw fork and pipes for fork and forkserver, whose server forks;
// posix_spawn of this binary, without the ints, for spawn). Then what
// Python cannot do: how long a running task's Cancel::terminate takes,
// against its target of 50 ms + the grace period. Figures are medians of several repetitions on
// executors started and warmed up beforehand (except the cycle, which is the thing measured).
// A report, not a test: it always exits 0.
//
// Usage: bench_executor [--quick] [--markdown=PATH]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <ranges>
#include <string>
#include <vector>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mproc/mproc.hpp>

#include "bench_common.hpp"

namespace {

using namespace bench;

const char* const methods[] = {"fork", "spawn", "forkserver"};


int inc(int x) { return x + 1; }

// A task that ignores cancellation requests: it waits for an event nobody sets (a minute at
// most), after telling the benchmark it runs. The events reach the worker by its initializer.
std::optional<mproc::Event> g_started, g_never;
void init_events(mproc::Event started, mproc::Event never) {
  g_started = started;
  g_never = never;
}
int stubborn() {
  g_started->set();
  g_never->wait(60);
  return 0;
}

// The OS limit of a start + 2 tasks + shutdown cycle of two workers: two children started, one
// int sent down a pipe to each and one sent back (the cycle's two tasks, with nothing to run),
// then both reaped. The children do not even run main. Under spawn the children only start and
// exit (posix_spawn of this binary): no task goes to them.
std::string self_path;
extern "C" char** environ;
double os_cycle_ms(const std::string& method) {
  auto t0 = clock_type::now();
  pid_t pids[2];
  int to_child[2][2], from_child[2][2];
  for (int i = 0; i < 2; ++i) {
    pid_t& pid = pids[i];
    if (method == "spawn") {
      char* argv[] = {self_path.data(), const_cast<char*>("--exit-now"), nullptr};
      if (posix_spawn(&pid, self_path.c_str(), nullptr, nullptr, argv, environ) != 0) pid = -1;
      continue;
    }
    if (pipe(to_child[i]) != 0 || pipe(from_child[i]) != 0) return 0;
    pid = fork();
    if (pid == 0) {
      int task = 0;
      if (read(to_child[i][0], &task, sizeof task) == sizeof task) {
        ++task;
        if (write(from_child[i][1], &task, sizeof task) != sizeof task) _exit(1);
      }
      _exit(0);
    }
  }
  if (method != "spawn") {
    for (int i = 0; i < 2; ++i) {
      int task = i + 1, result = 0;
      if (write(to_child[i][1], &task, sizeof task) != sizeof task) return 0;
      if (read(from_child[i][0], &result, sizeof result) != sizeof result || result != task + 1) return 0;
      for (int fd : {to_child[i][0], to_child[i][1], from_child[i][0], from_child[i][1]}) close(fd);
    }
  }
  for (pid_t pid : pids) {
    int status;
    if (pid > 0) waitpid(pid, &status, 0);
  }
  return seconds_since(t0) * 1e3;
}

bool all_good = true;
void check(bool ok, const char* what) {
  if (ok) return;
  all_good = false;
  std::printf("WRONG RESULT: %s\n", what);
}

mproc::ProcessPoolExecutor make_executor(const std::string& method, int workers) {
  mproc::ExecutorOptions o;
  o.max_workers = workers;
  o.start_method = method;
  mproc::ProcessPoolExecutor ex(o);
  for (int r : ex.map(inc, std::views::iota(0, 4 * ex.max_workers()))) (void)r;  // warm-up
  return ex;
}

double submit_rate(mproc::ProcessPoolExecutor& ex, int n) {
  auto t0 = clock_type::now();
  std::vector<mproc::Future<int>> fs;
  fs.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) fs.push_back(ex.submit(inc, i));
  long long total = 0;
  for (auto& f : fs) total += f.result();
  double s = seconds_since(t0);
  check(total == static_cast<long long>(n) * (n + 1) / 2, "submit");
  return n / s;
}

double map_rate(mproc::ProcessPoolExecutor& ex, int n, std::size_t chunksize) {
  auto t0 = clock_type::now();
  int last = -1;
  for (int v : ex.map(inc, std::views::iota(0, n), mproc::MapOptions{.chunksize = chunksize})) last = v;
  double s = seconds_since(t0);
  check(last == n, "map");
  return n / s;
}

double as_completed_rate(mproc::ProcessPoolExecutor& ex, int n) {
  auto t0 = clock_type::now();
  std::vector<mproc::Future<int>> fs;
  fs.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) fs.push_back(ex.submit(inc, i));
  long long total = 0;
  for (const auto& f : mproc::futures::as_completed(fs)) total += f.result();
  double s = seconds_since(t0);
  check(total == static_cast<long long>(n) * (n + 1) / 2, "as_completed");
  return n / s;
}

double cycle_ms(const std::string& method) {
  auto t0 = clock_type::now();
  {
    mproc::ExecutorOptions o;
    o.max_workers = 2;
    o.start_method = method;
    mproc::ProcessPoolExecutor ex(o);
    auto a = ex.submit(inc, 1), b = ex.submit(inc, 2);  // as Python's: it starts a worker per task
    check(a.result() == 2 && b.result() == 3, "cycle");
  }
  return seconds_since(t0) * 1e3;
}

// Milliseconds from cancel(Cancel::terminate, grace) of a running task that ignores requests
// to its Future being done.
double terminate_ms(mproc::ProcessPoolExecutor& ex, mproc::Event& started, double grace) {
  started.clear();
  auto f = ex.submit(stubborn);
  started.wait(60);
  auto t0 = clock_type::now();
  f.cancel(mproc::Cancel::terminate, grace);
  try {
    f.result(60);
  } catch (const mproc::CancelledError&) {
  }
  double ms = seconds_since(t0) * 1e3;
  check(f.cancelled(), "terminate");
  return ms;
}


}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--exit-now") _exit(0);  // the OS limit's child
  self_path = argv[0];
  mproc::init(argc, argv);
  auto [quick, markdown] = parse_bench_args(argc, argv);
  const int submit_n = quick ? 2'000 : 100'000, map_n = quick ? 100'000 : 1'000'000,
            ac_n = quick ? 2'000 : 10'000, reps = quick ? 2 : 5, cycles = quick ? 3 : 10;
  const std::size_t chunksize = 10'000;
  const int py_submit_n = quick ? 500 : 10'000, py_ac_n = quick ? 500 : 10'000, py_reps = quick ? 1 : 3,
            py_cycles = quick ? 2 : 5;
  const double graces[] = {0.0, 0.1};

  std::printf("ProcessPoolExecutor (%d CPUs; executors of cpu_count() workers unless said; median "
              "of %d repetitions, Python %d)\n", mproc::cpu_count(), reps, py_reps);
  std::printf("  sizes: submit %d tasks (Python %d), map %d ints in chunks of %zu, as_completed %d "
              "futures (Python %d), %d start+task+shutdown cycles (Python %d)\n\n",
              submit_n, py_submit_n, map_n, chunksize, ac_n, py_ac_n, cycles, py_cycles);
  std::fflush(stdout);

  std::map<std::string, double> submit_r, map_r, ac_r, cycle_r, os_cycle_r;
  std::map<std::string, std::vector<double>> terminate_r;
  for (std::string m : methods) {
    (void)cycle_ms(m);  // warm-up (the forkserver starts here)
    cycle_r[m] = median_of(cycles, [&] { return cycle_ms(m); });
    os_cycle_r[m] = median_of(cycles, [&] { return os_cycle_ms(m); });
  }
  for (std::string m : methods) {
    {
      mproc::ProcessPoolExecutor ex = make_executor(m, 0);
      submit_r[m] = median_of(reps, [&] { return submit_rate(ex, submit_n); });
      map_r[m] = median_of(reps, [&] { return map_rate(ex, map_n, chunksize); });
      ac_r[m] = median_of(reps, [&] { return as_completed_rate(ex, ac_n); });
    }
    {
      mproc::Event started, never;
      mproc::ExecutorOptions o;
      o.max_workers = 1;
      o.start_method = m;
      o.initializer = mproc::initializer(init_events, started, never);
      mproc::ProcessPoolExecutor ex(o);
      for (double grace : graces)
        terminate_r[m].push_back(median_of(quick ? 1 : 3, [&] { return terminate_ms(ex, started, grace); }));
    }
    std::printf("  mproc %-10s submit %s tasks/s, map %s items/s, as_completed %s futures/s, "
                "cycle %s ms, Cancel::terminate %s ms (grace 0) / %s ms (grace 0.1 s)\n",
                m.c_str(), format_number(submit_r[m]).c_str(), format_number(map_r[m]).c_str(),
                format_number(ac_r[m]).c_str(), format_number(cycle_r[m]).c_str(),
                format_number(terminate_r[m][0]).c_str(), format_number(terminate_r[m][1]).c_str());
    std::fflush(stdout);
  }

  std::string json = run_python_baseline(
      "bench_executor.py", std::to_string(py_submit_n) + " " + std::to_string(map_n) + " " +
                               std::to_string(chunksize) + " " + std::to_string(py_ac_n) + " " +
                               std::to_string(py_reps) + " " + std::to_string(py_cycles));
  auto py = [&](const std::string& key) { return json_number(json, key); };

  std::vector<Row> rows;
  auto rate_row = [&](const std::string& what, const std::string& unit, const std::string& m,
                      double ours, double python) {
    Row r{what, m, format_number(ours) + " " + unit, "python3 not found", "-", ">= 10x Python", "-"};
    if (python > 0) {
      r.python = format_number(python) + " " + unit;
      r.ratio = format_number(ours / python) + "x";
      r.met = yes_no(ours >= 10 * python);
    }
    rows.push_back(r);
  };
  for (std::string m : methods)
    rate_row("submit + result, trivial function", "tasks/s", m, submit_r[m], py(m + ".submit_per_s"));
  for (std::string m : methods)
    rate_row("map, " + std::to_string(map_n) + " ints, chunksize " + std::to_string(chunksize),
             "items/s", m, map_r[m], py(m + ".map_items_per_s"));
  for (std::string m : methods)
    rate_row("as_completed, " + std::to_string(ac_n) + " futures", "futures/s", m, ac_r[m],
             py(m + ".as_completed_per_s"));
  std::vector<std::string> impossible;
  for (std::string m : methods) {
    Row r{"ProcessPoolExecutor(2) start + 2 tasks + shutdown (OS limit: " +
              format_number(os_cycle_r[m]) + " ms)",
          m, format_number(cycle_r[m]) + " ms", "python3 not found", "-", ">= 10x faster", "-"};
    if (double p = py(m + ".cycle_ms"); p > 0) {
      r.python = format_number(p) + " ms";
      r.ratio = format_number(p / cycle_r[m]) + "x faster";
      r.met = yes_no(p >= 10 * cycle_r[m]);
      if (p / 10 < os_cycle_r[m])
        impossible.push_back(m + ": 10x Python is " + format_number(p / 10) + " ms, below the OS limit of " +
                             format_number(os_cycle_r[m]) + " ms (ours is " +
                             format_number(cycle_r[m] / os_cycle_r[m]) + "x the OS limit)");
    }
    rows.push_back(r);
  }
  for (std::string m : methods)
    for (std::size_t i = 0; i < std::size(graces); ++i) {
      double limit = 50 + graces[i] * 1e3;
      rows.push_back({"Cancel::terminate of a running task, grace " + format_number(graces[i]) + " s",
                      m, format_number(terminate_r[m][i]) + " ms", "cannot (cancel() is False)", "-",
                      "<= " + format_number(limit) + " ms", yes_no(terminate_r[m][i] <= limit)});
    }

  int met = 0, judged = 0;
  std::string table = table_of(rows, judged, met);
  std::printf("%s\n", table.c_str());
  std::printf("targets met: %d of %d%s\n", met, judged,
              json.empty() ? " (python3 not found: only Cancel::terminate is judged)" : "");
  for (const std::string& line : impossible)
    std::printf("cycle target physically impossible under %s\n", line.c_str());
  std::printf("every result checked was right: %s\n", yes_no(all_good).c_str());
  std::printf("benchmark complete\n");
  if (!markdown.empty()) std::ofstream(markdown) << table;
  return 0;
}
