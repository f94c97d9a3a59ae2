// Pipe and Queue throughput and latency beside the OS limit (a raw pipe between two processes)
// and Python 3's multiprocessing doing the same, all in one run. A report, not a test: it
// always exits 0. Children use the fork start method, as the Python side does.
//
// Usage: bench_pipe_queue [--quick] [--markdown=PATH]
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include <mproc/mproc.hpp>

#include "bench_common.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
constexpr std::size_t mib = 1 << 20;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

void echo(mproc::Connection conn, int n) {
  (void)conn.recv<int>();  // go
  for (int i = 0; i < n; ++i) conn.send(conn.recv<int>());
}

void bulk_sender(mproc::Connection conn, int n) {
  (void)conn.recv<int>();
  std::string data(mib, 'x');
  for (int i = 0; i < n; ++i) conn.send_bytes(data);
}

void small_producer(mproc::Queue<int> go, mproc::Queue<int> q, int n) {
  (void)go.get();
  for (int i = 0; i < n; ++i) q.put(i);
}

void big_producer(mproc::Queue<int> go, mproc::Queue<std::string> q, int n) {
  (void)go.get();
  std::string item(mib, 'x');
  for (int i = 0; i < n; ++i) q.put(item);
}

// µs per round trip of a small message.
double mproc_round_trip(int n) {
  auto [a, b] = mproc::Pipe();
  mproc::Process p(echo, b, n);
  p.start();
  a.send(0);
  auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i) {
    a.send(i);
    (void)a.recv<int>();
  }
  double s = seconds_since(t0);
  p.join();
  return s / n * 1e6;
}

double raw_round_trip(int n) {
  int up[2], down[2];
  if (pipe(up) != 0 || pipe(down) != 0) return 0;
  pid_t pid = fork();
  if (pid == 0) {
    int v;
    for (int i = 0; i < n; ++i) {
      if (read(down[0], &v, sizeof v) != sizeof v || write(up[1], &v, sizeof v) != sizeof v) _exit(1);
    }
    _exit(0);
  }
  auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i) {
    int v = i;
    if (write(down[1], &v, sizeof v) != sizeof v || read(up[0], &v, sizeof v) != sizeof v) break;
  }
  double s = seconds_since(t0);
  waitpid(pid, nullptr, 0);
  for (int fd : {up[0], up[1], down[0], down[1]}) close(fd);
  return s / n * 1e6;
}

// MB/s of 1 MiB messages.
double mproc_bulk(int n) {
  auto [a, b] = mproc::Pipe();
  mproc::Process p(bulk_sender, b, n);
  p.start();
  auto t0 = clock_type::now();
  a.send(0);
  for (int i = 0; i < n; ++i) (void)a.recv_bytes();
  double s = seconds_since(t0);
  p.join();
  return n * static_cast<double>(mib) / s / 1e6;
}

double raw_bulk(int n) {
  int fds[2];
  if (pipe(fds) != 0) return 0;
  pid_t pid = fork();
  if (pid == 0) {
    std::string data(mib, 'x');
    for (int i = 0; i < n; ++i) {
      std::size_t done = 0;
      while (done < mib) {
        ssize_t w = write(fds[1], data.data() + done, mib - done);
        if (w <= 0) _exit(1);
        done += static_cast<std::size_t>(w);
      }
    }
    _exit(0);
  }
  close(fds[1]);
  std::string buffer(mib, '\0');
  auto t0 = clock_type::now();
  for (int i = 0; i < n; ++i) {
    std::size_t done = 0;
    while (done < mib) {
      ssize_t r = read(fds[0], buffer.data() + done, mib - done);
      if (r <= 0) break;
      done += static_cast<std::size_t>(r);
    }
  }
  double s = seconds_since(t0);
  waitpid(pid, nullptr, 0);
  close(fds[0]);
  return n * static_cast<double>(mib) / s / 1e6;
}

double queue_small(int n) {
  mproc::Queue<int> go, q;
  mproc::Process p(small_producer, go, q, n);
  p.start();
  auto t0 = clock_type::now();
  go.put(1);
  for (int i = 0; i < n; ++i) (void)q.get();
  double s = seconds_since(t0);
  p.join();
  return n / s;
}

double queue_big(int n) {
  mproc::Queue<int> go;
  mproc::Queue<std::string> q;
  mproc::Process p(big_producer, go, q, n);
  p.start();
  auto t0 = clock_type::now();
  go.put(1);
  for (int i = 0; i < n; ++i) (void)q.get();
  double s = seconds_since(t0);
  p.join();
  return n * static_cast<double>(mib) / s / 1e6;
}

std::map<std::string, double> python_figures(int rt, int bulk, int small, int big) {
  std::string json = run_python_baseline("bench_pipe_queue.py", std::to_string(rt) + " " + std::to_string(bulk) +
                                                                    " " + std::to_string(small) + " " + std::to_string(big));
  std::map<std::string, double> out;
  for (const char* key : {"round_trip_us", "bulk_mb_s", "queue_small_per_s", "queue_big_mb_s"})
    if (double v = json_number(json, key); v > 0) out[key] = v;
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  mproc::set_start_method("fork");
  auto [quick, markdown] = parse_bench_args(argc, argv);
  int rt = quick ? 2000 : 50000, bulk = quick ? 50 : 2000, small = quick ? 5000 : 200000,
      big = quick ? 50 : 1000;

  double ours_rt = mproc_round_trip(rt), os_rt = raw_round_trip(rt);
  double ours_bulk = mproc_bulk(bulk), os_bulk = raw_bulk(bulk);
  double ours_small = queue_small(small), ours_big = queue_big(big);
  auto py = python_figures(quick ? 1000 : rt / 5, quick ? 20 : bulk / 4, quick ? 2000 : small / 10,
                           quick ? 20 : big / 4);
  auto py_of = [&](const char* k) { return py.count(k) ? py[k] : 0.0; };

  struct Row {
    std::string what, unit;
    double ours, os, python;
    bool lower_is_better;
  };
  Row rows[] = {
      {"Pipe round trip, small message", "µs", ours_rt, os_rt, py_of("round_trip_us"), true},
      {"Pipe send_bytes, 1 MiB messages", "MB/s", ours_bulk, os_bulk, py_of("bulk_mb_s"), false},
      {"Queue, small items, 2 processes", "items/s", ours_small, 0, py_of("queue_small_per_s"), false},
      {"Queue, 1 MiB items, 2 processes", "MB/s", ours_big, 0, py_of("queue_big_mb_s"), false},
  };
  std::string table =
      "| workload | unit | mproc | OS limit (raw pipe) | mproc vs OS | Python | mproc vs Python |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const Row& r : rows) {
    std::string vs_os = r.os > 0 ? format_number(r.lower_is_better ? r.ours / r.os : r.ours / r.os) +
                                       (r.lower_is_better ? "x the time" : "x the rate")
                                 : "-";
    std::string vs_py = "-";
    if (r.python > 0) vs_py = format_number(r.lower_is_better ? r.python / r.ours : r.ours / r.python) + "x better";
    table += "| " + r.what + " | " + r.unit + " | " + format_number(r.ours) + " | " + (r.os > 0 ? format_number(r.os) : "-") +
             " | " + vs_os + " | " + (r.python > 0 ? format_number(r.python) : "python3 not found") + " | " + vs_py + " |\n";
  }
  std::printf("Pipe and Queue (fork start method; %d round trips, %d bulk messages, %d small and %d "
              "big queue items)\n\n%s\n", rt, bulk, small, big, table.c_str());
  auto yes = [](bool b) { return b ? "yes" : "no"; };
  std::printf("round trip within 2x of a raw pipe: %s\n", yes(ours_rt <= 2 * os_rt));
  std::printf("round trip at least 10x better than Python: %s\n", yes(py_of("round_trip_us") >= 10 * ours_rt));
  std::printf("bulk at least 70%% of a raw pipe: %s\n", yes(ours_bulk >= 0.7 * os_bulk));
  std::printf("queue small items at least 10x Python: %s\n", yes(ours_small >= 10 * py_of("queue_small_per_s")));
  std::printf("queue 1 MiB items at least 3x Python: %s\n", yes(ours_big >= 3 * py_of("queue_big_mb_s")));
  std::printf("benchmark complete\n");
  if (!markdown.empty()) std::ofstream(markdown) << table;
  return 0;
}
