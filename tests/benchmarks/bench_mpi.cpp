// The MPI backend beside mpi4py.futures (Debian's python3-mpi4py) in one run, same rank count:
// submit of a trivial function with every result collected (tasks/s), map of ints with chunks
// (items/s), and a CPU-bound map (tasks that each burn the same CPU time) on one worker and on
// all (the speedup). Beside them the MPI limit: raw MPI echoes per second between rank 0 and the
// others, one message each way per task, as an MPI program without mproc would do them.
//
// Run it as a plain program: it starts each side under `mpiexec -n 4 --oversubscribe` itself
// (these modes are its own arguments: --ranks (ours), --mpi-limit). A report, not a test: it
// always exits 0.
//
// Usage: bench_mpi [--quick] [--markdown=PATH] [--ranks=N]
#include <mpi.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <numeric>
#include <ranges>
#include <string>
#include <vector>

#include <mproc/mpi.hpp>
#include <mproc/mproc.hpp>

#include "bench_common.hpp"

namespace {

using namespace bench;

int inc(int x) { return x + 1; }

// Burns `ms` of its own CPU time (the same loop as the Python side's).
int burn(int ms) {
  auto cpu_now = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
  };
  double end = cpu_now() + ms / 1e3;
  while (cpu_now() < end) {
  }
  return ms;
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "bench_mpi: wrong result in %s\n", what);
    std::exit(1);
  }
}

struct Sizes {
  int submit_n, py_submit_n, map_n, chunksize, cpu_tasks, cpu_ms, reps;
};

Sizes sizes(bool quick) {
  if (quick) return {2'000, 500, 100'000, 10'000, 6, 20, 1};
  return {100'000, 5'000, 1'000'000, 10'000, 12, 50, 3};
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

double map_rate(mproc::ProcessPoolExecutor& ex, int n, int chunksize) {
  auto t0 = clock_type::now();
  int last = 0;
  for (int v : ex.map(inc, std::views::iota(0, n),
                      mproc::MapOptions{.chunksize = static_cast<std::size_t>(chunksize)}))
    last = v;
  double s = seconds_since(t0);
  check(last == n, "map");
  return n / s;
}

double cpu_seconds(mproc::ProcessPoolExecutor& ex, int tasks, int ms) {
  auto t0 = clock_type::now();
  long long sum = 0;
  for (int v : ex.map(burn, std::vector<int>(static_cast<std::size_t>(tasks), ms))) sum += v;
  check(sum == static_cast<long long>(tasks) * ms, "cpu");
  return seconds_since(t0);
}

// Under mpiexec, rank 0: our figures as one JSON object.
void measure_ours(const Sizes& z) {
  std::string json = "{";
  {
    mproc::MPIPoolExecutor ex;
    (void)ex.submit(inc, 0).result();
    json += "\"workers\": " + std::to_string(ex.max_workers());
    json += ", \"submit_per_s\": " + std::to_string(median_of(z.reps, [&] { return submit_rate(ex, z.submit_n); }));
    json += ", \"map_items_per_s\": " + std::to_string(median_of(z.reps, [&] { return map_rate(ex, z.map_n, z.chunksize); }));
    json += ", \"cpu_all_s\": " + std::to_string(median_of(z.reps, [&] { return cpu_seconds(ex, z.cpu_tasks, z.cpu_ms); }));
  }
  {
    mproc::MPIPoolExecutor ex(1);
    (void)ex.submit(inc, 0).result();
    json += ", \"cpu_1_s\": " + std::to_string(median_of(z.reps, [&] { return cpu_seconds(ex, z.cpu_tasks, z.cpu_ms); }));
  }
  std::printf("%s}\n", json.c_str());
}

// Under mpiexec without mproc: rank 0 sends `n` small messages to the other ranks in turn, with
// up to `window` in flight, and each rank echoes each: echoes per second.
void measure_mpi_limit(int n) {
  MPI_Init(nullptr, nullptr);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int value = 0;
  if (rank == 0) {
    constexpr int window = 64;
    auto t0 = clock_type::now();
    int sent = 0, received = 0;
    while (received < n) {
      while (sent < n && sent - received < window) {
        MPI_Send(&sent, 1, MPI_INT, 1 + sent % (size - 1), 1, MPI_COMM_WORLD);
        ++sent;
      }
      MPI_Recv(&value, 1, MPI_INT, MPI_ANY_SOURCE, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      ++received;
    }
    double s = seconds_since(t0);
    int stop = -1;
    for (int r = 1; r < size; ++r) MPI_Send(&stop, 1, MPI_INT, r, 1, MPI_COMM_WORLD);
    std::printf("{\"echo_per_s\": %f}\n", n / s);
  } else {
    for (;;) {
      MPI_Recv(&value, 1, MPI_INT, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (value < 0) break;
      MPI_Send(&value, 1, MPI_INT, 0, 1, MPI_COMM_WORLD);
    }
  }
  MPI_Finalize();
}

std::string run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>/dev/null").c_str(), "r"), pclose);
  std::string out;
  if (!pipe) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe.get())) out += buf;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int ranks = 4;
  std::string mode;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") quick = true;
    if (a == "--ours" || a == "--mpi-limit") mode = a;
    if (a.rfind("--ranks=", 0) == 0) ranks = std::atoi(a.c_str() + 8);
  }
  Sizes z = sizes(quick);
  if (mode == "--mpi-limit") {  // before mproc::init, which would take the ranks
    measure_mpi_limit(z.submit_n);
    return 0;
  }
  mproc::init(argc, argv);  // under mpiexec, ranks 1..N-1 serve tasks in here
  if (mode == "--ours") {
    measure_ours(z);
    return 0;
  }

  auto [q, markdown] = parse_bench_args(argc, argv);
  (void)q;
  std::printf("MPI backend beside mpi4py.futures %s(mpiexec -n %d --oversubscribe on %d CPUs: "
              "rank 0 and %d worker ranks; median of %d repetitions)\n",
              quick ? "(quick) " : "", ranks, mproc::cpu_count(), ranks - 1, z.reps);
  std::printf("  sizes: submit %d tasks (mpi4py %d), map %d ints in chunks of %d, CPU-bound map "
              "of %d tasks of %d ms CPU each\n\n",
              z.submit_n, z.py_submit_n, z.map_n, z.chunksize, z.cpu_tasks, z.cpu_ms);
  std::fflush(stdout);
  std::string launch = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpiexec -n " +
                       std::to_string(ranks) + " --oversubscribe ";
  std::string common = quick ? " --quick" : "";
  std::string ours = run(launch + "\"" + argv[0] + "\" --ours" + common);
  std::string limit = run(launch + "\"" + argv[0] + "\" --mpi-limit" + common);
  // Debian's mpi4py is for the system's python3 (not a python3 found earlier on PATH).
  std::string py_args = std::to_string(z.py_submit_n) + " " + std::to_string(z.map_n) + " " +
                        std::to_string(z.chunksize) + " " + std::to_string(z.cpu_tasks) + " " +
                        std::to_string(z.cpu_ms) + " " + std::to_string(z.reps);
  std::string python = run(launch + "/usr/bin/python3 -m mpi4py.futures \"" MPROC_BENCH_PYTHON_DIR
                           "/bench_mpi.py\" " + py_args);
  auto num = [](const std::string& json, const char* key) { return json_number(json, key); };
  if (num(ours, "submit_per_s") <= 0) {
    std::printf("bench_mpi: our run under mpiexec failed (output: %s)\n", ours.c_str());
    return 0;
  }

  std::vector<Row> rows;
  std::string limit_text = num(limit, "echo_per_s") > 0
      ? " (MPI limit: " + format_number(num(limit, "echo_per_s")) + " raw echoes/s)" : "";
  auto rate_row = [&](const std::string& what, const std::string& unit, double o, double p) {
    Row r{what, "MPI", format_number(o) + " " + unit, "mpi4py not found", "-", ">= 10x mpi4py", "-"};
    if (p > 0) {
      r.python = format_number(p) + " " + unit;
      r.ratio = format_number(o / p) + "x";
      r.met = yes_no(o >= 10 * p);
    }
    rows.push_back(r);
  };
  rate_row("submit + result, trivial function" + limit_text, "tasks/s", num(ours, "submit_per_s"),
           num(python, "submit_per_s"));
  rate_row("map, " + std::to_string(z.map_n) + " ints, chunksize " + std::to_string(z.chunksize),
           "items/s", num(ours, "map_items_per_s"), num(python, "map_items_per_s"));
  double our_speedup = num(ours, "cpu_1_s") / num(ours, "cpu_all_s");
  Row cpu{"CPU-bound map, " + std::to_string(z.cpu_tasks) + " x " + std::to_string(z.cpu_ms) +
              " ms: speedup of " + format_number(num(ours, "workers")) + " workers over 1 (" +
              std::to_string(mproc::cpu_count()) + " CPUs)",
          "MPI", format_number(our_speedup) + "x", "mpi4py not found", "-", "equal (>= 0.9x)", "-"};
  if (double py_t1 = num(python, "cpu_1_s"); py_t1 > 0) {
    double py_speedup = py_t1 / num(python, "cpu_all_s");
    cpu.python = format_number(py_speedup) + "x";
    cpu.ratio = format_number(our_speedup / py_speedup) + "x";
    cpu.met = yes_no(our_speedup >= 0.9 * py_speedup);
  }
  rows.push_back(cpu);

  int met = 0, judged = 0;
  std::string table = table_of(rows, judged, met);
  std::printf("%s\n%d of %d targets met\n", table.c_str(), met, judged);
  std::printf("  (ours: %s  mpi4py: %s  limit: %s)\n", ours.c_str(), python.c_str(), limit.c_str());
  if (!markdown.empty()) std::ofstream(markdown) << table;
  std::printf("benchmark complete\n");
}
