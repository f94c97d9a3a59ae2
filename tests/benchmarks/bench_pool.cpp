// Pool throughput and start cost beside Python 3's multiprocessing.Pool doing the same, all in
// one run: per start method, apply_async of a trivial function with every result collected,
// map over 1,000,000 ints with the default chunksize, imap_unordered with chunksize 1, and
// Pool(2) start+close+join; then the speedup of cpu_count() workers over one on CPU-bound tasks
// (seed 000's `calc`, as a pool). Figures are medians of several repetitions, on pools started
// and warmed up beforehand (except the start+close+join cycle, which is the thing measured).
// A report, not a test: it always exits 0.
//
// Usage: bench_pool [--quick] [--markdown=PATH]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

#include <mproc/mproc.hpp>

#include "bench_common.hpp"

namespace {

using namespace bench;

const char* const methods[] = {"fork", "spawn", "forkserver"};


int inc(int x) { return x + 1; }

// Seed 000's `calc` as a pool task: a pure CPU loop (the empty asm keeps the compiler from
// folding the sum into a formula or vectorizing it away).
std::uint64_t calc(std::uint64_t k) {
  std::uint64_t s = 0;
  for (std::uint64_t i = 0; i < k; ++i) {
    s += i * i;
    asm volatile("" : "+r"(s));
  }
  return s;
}

bool all_good = true;  // every result checked so far was right

void check(bool ok, const char* what) {
  if (ok) return;
  all_good = false;
  std::printf("WRONG RESULT: %s\n", what);
}

mproc::Pool make_pool(const std::string& method, int processes) {
  mproc::PoolOptions options;
  options.processes = processes;
  options.start_method = method;
  mproc::Pool pool(std::move(options));
  pool.map(inc, std::views::iota(0, 4 * pool.processes()), 1);  // warm-up: the workers are up
  return pool;
}

// Tasks per second; `submit_share` gets the part of the time spent submitting.
double apply_async_rate(mproc::Pool& pool, int n, double& submit_share) {
  std::vector<mproc::AsyncResult<int>> results;
  results.reserve(static_cast<std::size_t>(n));
  auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i) results.push_back(pool.apply_async(inc, i));
  double submitted = seconds_since(t0);
  long long total = 0;
  for (auto& r : results) total += r.get();
  double s = seconds_since(t0);
  check(total == static_cast<long long>(n) * (n + 1) / 2, "apply_async");
  submit_share = submitted / s;
  return n / s;
}

double map_rate(mproc::Pool& pool, int n) {
  auto t0 = clock_type::now();
  std::vector<int> out = pool.map(inc, std::views::iota(0, n));
  double s = seconds_since(t0);
  check(out.size() == static_cast<std::size_t>(n) && out.back() == n, "map");
  return n / s;
}

double imap_unordered_rate(mproc::Pool& pool, int n) {
  auto t0 = clock_type::now();
  long long total = 0;
  for (int v : pool.imap_unordered(inc, std::views::iota(0, n), 1)) total += v;
  double s = seconds_since(t0);
  check(total == static_cast<long long>(n) * (n + 1) / 2, "imap_unordered");
  return n / s;
}

// One Pool(2) start + close + join in ms; `start_ms` gets the part spent in the constructor.
double cycle_ms(const std::string& method, double& start_ms) {
  auto t0 = clock_type::now();
  mproc::PoolOptions options;
  options.processes = 2;
  options.start_method = method;
  mproc::Pool pool(std::move(options));
  start_ms = seconds_since(t0) * 1e3;
  pool.close();
  pool.join();
  return seconds_since(t0) * 1e3;
}

// The machine's load average (Linux), to judge how noisy a run was; "" elsewhere.
std::string load_average() {
  std::ifstream f("/proc/loadavg");
  std::string one, five;
  if (!(f >> one >> five)) return "";
  return one + " (1 min), " + five + " (5 min)";
}

// The loop count that makes one `calc` take about `seconds` here.
std::uint64_t calibrate(double seconds) {
  for (std::uint64_t k = 1'000'000;; k *= 4) {
    auto t0 = clock_type::now();
    (void)calc(k);
    double s = seconds_since(t0);
    if (s >= 0.05) return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(k * seconds / s));
  }
}

// Seconds for `tasks` calc(k) tasks on one worker and on `workers` workers, medians of
// `repetitions` runs taken in turns, so that a load that comes and goes weighs on both alike
// (fork; the start method does not matter once the workers run).
std::pair<double, double> cpu_times(int workers, int tasks, std::uint64_t k, int repetitions) {
  mproc::Pool one = make_pool("fork", 1), all = make_pool("fork", workers);
  std::vector<std::uint64_t> ks(static_cast<std::size_t>(tasks), k);
  std::uint64_t expected = calc(k);
  auto run = [&](mproc::Pool& pool) {
    auto t0 = clock_type::now();
    auto out = pool.map(calc, ks, 1);
    double s = seconds_since(t0);
    check(out.size() == ks.size() && std::all_of(out.begin(), out.end(),
                                                 [&](std::uint64_t v) { return v == expected; }),
          "calc");
    return s;
  };
  std::vector<double> t1, tn;
  for (int i = 0; i < repetitions; ++i) {
    t1.push_back(run(one));
    tn.push_back(run(all));
  }
  return {median(t1), median(tn)};
}


}  // namespace

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  auto [quick, markdown] = parse_bench_args(argc, argv);
  const int apply_n = quick ? 5'000 : 200'000, map_n = quick ? 50'000 : 1'000'000,
            imap_n = quick ? 5'000 : 100'000, reps = quick ? 2 : 5;
  const int fork_cycles = quick ? 3 : 30, other_cycles = quick ? 3 : 15;
  const double cpu_task_s = quick ? 0.02 : 0.2;
  const int py_apply_n = quick ? 1'000 : 20'000, py_map_n = map_n, py_imap_n = quick ? 1'000 : 20'000,
            py_reps = quick ? 1 : 3, py_fork_cycles = quick ? 2 : 10, py_other_cycles = quick ? 2 : 5;
  const int cpus = mproc::cpu_count();

  std::printf("Pool (%d CPUs; pools of cpu_count() workers unless said; median of %d repetitions, "
              "Python %d)\n", cpus, reps, py_reps);
  std::printf("  sizes: apply_async %d tasks (Python %d), map %d items, imap_unordered %d items "
              "(Python %d), %d/%d start+close+join cycles fork/others (Python %d/%d)\n\n",
              apply_n, py_apply_n, map_n, imap_n, py_imap_n, fork_cycles, other_cycles,
              py_fork_cycles, py_other_cycles);
  if (std::string load = load_average(); !load.empty())
    std::printf("  load average at start: %s (other work on the machine lowers the figures, the "
                "CPU-bound speedup most)\n", load.c_str());
  std::fflush(stdout);

  // The start+close+join cycles first, while this program is still small (as a program that
  // starts its pool early is), then the throughput on one warmed-up pool per method.
  std::map<std::string, double> apply_r, map_r, imap_r, cycle_r, cycle_start, submit_share;
  for (std::string m : methods) {
    double start_ms = 0;
    std::vector<double> starts;
    (void)cycle_ms(m, start_ms);  // warm-up (the forkserver starts here)
    cycle_r[m] = median_of(m == "fork" ? fork_cycles : other_cycles, [&] {
      double ms = cycle_ms(m, start_ms);
      starts.push_back(start_ms);
      return ms;
    });
    cycle_start[m] = median(starts);
  }
  for (std::string m : methods) {
    {
      mproc::Pool pool = make_pool(m, 0);
      double share = 0;
      std::vector<double> shares;
      apply_r[m] = median_of(reps, [&] {
        double r = apply_async_rate(pool, apply_n, share);
        shares.push_back(share);
        return r;
      });
      submit_share[m] = median(shares);
      map_r[m] = median_of(reps, [&] { return map_rate(pool, map_n); });
      imap_r[m] = median_of(reps, [&] { return imap_unordered_rate(pool, imap_n); });
      pool.close();
      pool.join();
    }
    std::printf("  mproc %-10s apply_async %s tasks/s (%.0f%% of it submitting), map %s items/s, "
                "imap_unordered %s items/s, Pool(2) cycle %s ms (median constructor %s ms)\n",
                m.c_str(), format_number(apply_r[m]).c_str(), submit_share[m] * 100,
                format_number(map_r[m]).c_str(), format_number(imap_r[m]).c_str(),
                format_number(cycle_r[m]).c_str(), format_number(cycle_start[m]).c_str());
    std::fflush(stdout);
  }

  std::uint64_t k = calibrate(cpu_task_s);
  auto [one, all] = cpu_times(cpus, cpus, k, quick ? 3 : 5);
  double speedup = one / all;
  std::printf("  mproc cpu: %d tasks of calc(%llu) (~%.2f s each): 1 worker %.3f s, %d workers "
              "%.3f s, speedup %.2fx\n\n",
              cpus, static_cast<unsigned long long>(k), cpu_task_s, one, cpus, all, speedup);
  std::fflush(stdout);

  std::string json = run_python_baseline(
      "bench_pool.py", std::to_string(py_apply_n) + " " + std::to_string(py_map_n) + " " +
                           std::to_string(py_imap_n) + " " + std::to_string(py_reps) + " " +
                           std::to_string(py_fork_cycles) + " " + std::to_string(py_other_cycles) +
                           " " + std::to_string(cpu_task_s));
  auto py = [&](const std::string& key) { return json_number(json, key); };

  std::vector<Row> rows;
  // Rates: higher is better, the ratio is ours / Python's.
  auto rate_row = [&](const std::string& what, const std::string& unit, const std::string& m,
                      double ours, double python, int target) {
    Row r{what, m, format_number(ours) + " " + unit, "python3 not found", "-",
          ">= " + std::to_string(target) + "x Python", "-"};
    if (python > 0) {
      r.python = format_number(python) + " " + unit;
      r.ratio = format_number(ours / python) + "x";
      r.met = yes_no(ours >= target * python);
    }
    rows.push_back(r);
  };
  for (std::string m : methods)
    rate_row("apply_async, trivial function, all results", "tasks/s", m, apply_r[m],
             py(m + ".apply_async_per_s"), 10);
  for (std::string m : methods)
    rate_row("map, " + std::to_string(map_n) + " ints, default chunksize", "items/s", m, map_r[m],
             py(m + ".map_items_per_s"), 20);
  for (std::string m : methods)
    rate_row("imap_unordered, chunksize 1", "items/s", m, imap_r[m], py(m + ".imap_unordered_per_s"), 10);
  {
    Row r{"CPU-bound speedup, " + std::to_string(cpus) + " tasks of ~" + format_number(cpu_task_s) +
              " s, 1 vs " + std::to_string(cpus) + " workers",
          "fork", format_number(speedup) + "x", "python3 not found", "-",
          ">= " + format_number(0.9 * cpus) + "x (0.9 x " + std::to_string(cpus) + ")",
          yes_no(speedup >= 0.9 * cpus)};
    if (double p = py("cpu.speedup"); p > 0) {
      r.python = format_number(p) + "x";
      r.ratio = format_number(speedup / p) + "x";
    }
    rows.push_back(r);
  }
  // Times: lower is better, the ratio is how many times faster ours is.
  for (std::string m : methods) {
    Row r{"Pool(2) start + close + join", m, format_number(cycle_r[m]) + " ms", "python3 not found",
          "-", ">= 5x faster", "-"};
    if (double p = py(m + ".cycle_ms"); p > 0) {
      r.python = format_number(p) + " ms";
      r.ratio = format_number(p / cycle_r[m]) + "x faster";
      r.met = yes_no(p >= 5 * cycle_r[m]);
    }
    rows.push_back(r);
  }

  int met = 0, judged = 0;
  std::string table = table_of(rows, judged, met);
  std::printf("%s\n", table.c_str());
  std::printf("targets met: %d of %d%s\n", met, judged,
              json.empty() ? " (python3 not found: only the CPU speedup is judged)" : "");
  std::printf("every result checked was right: %s\n", yes_no(all_good).c_str());
  std::printf("benchmark complete\n");
  if (!markdown.empty()) std::ofstream(markdown) << table;
  return 0;
}
