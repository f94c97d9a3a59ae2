// The chaos run (issue 11): a mixed workload - Pool tasks, queues between processes, pipes,
// locks around a shared Value, a Manager dict written by children - while a chaos thread
// kills random pool workers, children, the manager's server and the forkserver at random
// moments. It checks that nothing hangs, nothing accepted is lost, no lock stays dead, and
// nothing (zombies, descriptors, /dev/shm names, temporary files, processes) is left behind,
// prints a summary and exits 0 only if every check passed.
//
//   mproc_chaos [--seconds N] [--start-method fork|spawn|forkserver] [--seed S]
//               [--interval-ms M] [--verbose] [--self-test-fail] [--no-supervise]
//
// On POSIX the program supervises itself: it runs the workload as a child program (--inner)
// with a private TMPDIR, and once that has ended checks what outlived it (processes, /dev/shm
// names, socket files); mproc's resource tracker only cleans up after the last process of a
// program has ended, so that check cannot be made from inside.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.hpp"
#include "os_helpers.hpp"
#include "workloads.hpp"

namespace fs = std::filesystem;

namespace chaos {
namespace {

constexpr const char* forkserver_arg = "--mproc-forkserver";

constexpr const char* help_text =
    "usage: mproc_chaos [--seconds N] [--start-method fork|spawn|forkserver] [--seed S]\n"
    "                   [--interval-ms M] [--verbose] [--self-test-fail] [--no-supervise]\n"
    "  --seconds N         how long faults are injected (default 120); the run then drains\n"
    "  --start-method M    fork, spawn or forkserver (default: the platform's)\n"
    "  --seed S            replays a run's choices (printed by every run)\n"
    "  --interval-ms M     mean time between two faults (default 150)\n"
    "  --verbose           name every fault on stderr as it is injected\n"
    "  --self-test-fail    drop one confirmed queue item on purpose: the run must FAIL\n"
    "  --no-supervise      POSIX: skip the after-exit checks (run in this process only)\n"
    "  --hold-on-hang S    on a hang, name the processes and wait S seconds before killing\n"
    "                      anything, to attach a debugger\n"
    "Exit code 0 only if every check passed; the summary ends with RESULT: PASS or FAIL.\n";

int usage(const char* why) {
  std::fprintf(stderr, "mproc_chaos: %s\n%s", why, help_text);
  return 2;
}

bool parse(int argc, char** argv, Options& opt, bool& seed_given, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    bool has_value = false;
    if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto next = [&]() -> bool {
      if (has_value) return true;
      if (i + 1 >= argc) return false;
      value = argv[++i];
      return true;
    };
    try {
      if (arg == "--seconds") {
        if (!next()) return error = "--seconds needs a value", false;
        opt.seconds = std::stod(value);
      } else if (arg == "--start-method") {
        if (!next()) return error = "--start-method needs a value", false;
        opt.start_method = value;
      } else if (arg == "--seed") {
        if (!next()) return error = "--seed needs a value", false;
        opt.seed = std::stoull(value);
        seed_given = true;
      } else if (arg == "--interval-ms") {
        if (!next()) return error = "--interval-ms needs a value", false;
        opt.mean_interval_ms = std::stod(value);
      } else if (arg == "--hold-on-hang") {
        if (!next()) return error = "--hold-on-hang needs a value", false;
        opt.hold_on_hang = std::stod(value);
      } else if (arg == "--token") {
        if (!next()) return error = "--token needs a value", false;
        opt.token = value;
      } else if (arg == "--verbose") {
        opt.verbose = true;
      } else if (arg == "--self-test-fail") {
        opt.self_test_fail = true;
      } else if (arg == "--no-supervise") {
        opt.supervise = false;
      } else if (arg == "--help" || arg == "-h") {
        std::fputs(help_text, stdout);
        std::exit(0);
      } else if (arg == "--inner") {
        opt.inner = true;
      } else {
        return error = "unknown argument " + arg, false;
      }
    } catch (const std::exception&) {
      return error = "bad value for " + arg + ": " + value, false;
    }
  }
  if (opt.seconds <= 0 || opt.mean_interval_ms <= 0) return error = "--seconds and --interval-ms must be positive", false;
  return true;
}

// --- The chaos thread ------------------------------------------------------------------------

void chaos_thread(const Options& opt, Victims& victims, std::atomic<bool>& stop) {
  auto rng = make_rng(opt.seed, 1000);
  std::exponential_distribution<double> gap_ms(1.0 / opt.mean_interval_ms);
  const bool forkserver = mproc::get_start_method() == "forkserver" && posix_build();
  // The manager and the forkserver are big targets (everything that uses them restarts):
  // each is killed on a timer of its own, every few seconds, so that even a short run has
  // several of both; the other faults come at random, weighted, every `gap_ms`.
  auto seconds_from_now = [&](int lo, int hi) {
    return Clock::now() + std::chrono::milliseconds(uniform(rng, lo * 1000, hi * 1000));
  };
  auto next_manager_kill = seconds_from_now(2, 6), next_forkserver_kill = seconds_from_now(3, 8);
  while (!stop.load()) {
    auto wake = Clock::now() + std::chrono::duration<double, std::milli>(std::min(gap_ms(rng), 2000.0));
    while (!stop.load() && Clock::now() < wake) std::this_thread::sleep_for(std::chrono::milliseconds(10));  // Pacing.
    if (stop.load()) break;

    auto pool = victims.pool();
    std::vector<int> workers = pool ? pool->worker_pids() : std::vector<int>{};
    std::optional<Fault> timed;
    if (Clock::now() >= next_manager_kill) {
      timed = Fault::manager;
      next_manager_kill = seconds_from_now(3, 8);
    } else if (forkserver && Clock::now() >= next_forkserver_kill) {
      timed = Fault::forkserver;
      next_forkserver_kill = seconds_from_now(5, 12);
    }
    std::vector<std::pair<Fault, int>> choices;  // kind, weight
    if (!workers.empty()) choices.emplace_back(Fault::pool_worker, 30);
    for (auto [kind, weight] : {std::pair{Fault::producer, 20}, std::pair{Fault::pipe_peer, 15},
                                std::pair{Fault::lock_holder, 15}, std::pair{Fault::dict_writer, 10}})
      if (victims.has_child(kind)) choices.emplace_back(kind, weight);
    int total = 0;
    for (auto& c : choices) total += c.second;
    if (!timed && total == 0) continue;
    Fault kind = timed ? *timed : choices.front().first;
    if (!timed) {
      int pick = uniform(rng, 1, total);
      for (auto& c : choices) {
        if ((pick -= c.second) <= 0) {
          kind = c.first;
          break;
        }
      }
    }
    bool done = false;
    switch (kind) {
      case Fault::pool_worker: {
        // By pid: the only handle Pool gives. A worker that exited just now could have had its
        // pid reused within these microseconds; negligible, and only in this test program.
        int pid = workers[static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(workers.size()) - 1))];
        done = os::kill_pid(pid);
        break;
      }
      case Fault::manager:
        done = victims.kill_manager();
        break;
      case Fault::forkserver: {
        // Our child that runs `<exe> --mproc-forkserver` (mproc has no accessor for its pid).
        auto pids = os::children_with_arg(forkserver_arg);
        if (!pids.empty()) done = victims.kill_forkserver(pids.front());
        break;
      }
      default:
        done = victims.kill_child(kind, rng);
        break;
    }
    if (done) {
      ++stats().faults[static_cast<int>(kind)];
      trace(std::string("fault: ") + fault_name(kind));
    }
  }
}

// --- The summary -----------------------------------------------------------------------------

struct Row {
  std::string label;
  std::int64_t found;  // -1: not measured here
  bool ok;
};

std::mutex summary_mutex;
std::string run_description;

std::vector<Row> check_rows() {
  Stats& s = stats();
  auto zero = [](std::int64_t v) { return v <= 0; };
  std::vector<Row> rows = {
      {"hangs (waits past their bound)", s.hangs, zero(s.hangs)},
      {"queue: confirmed items lost", s.queue_lost, zero(s.queue_lost)},
      {"queue: items duplicated, corrupt or unconfirmed", s.queue_duplicated + s.queue_bad,
       zero(s.queue_duplicated + s.queue_bad)},
      {"pool: wrong results", s.pool_wrong, zero(s.pool_wrong)},
      {"pool: errors other than WorkerLostError", s.pool_other_errors + s.pool_broken,
       zero(s.pool_other_errors + s.pool_broken)},
      {"pipe: wrong replies and unexpected errors", s.pipe_wrong + s.pipe_errors + s.loopback_wrong,
       zero(s.pipe_wrong + s.pipe_errors + s.loopback_wrong)},
      {"locks: lost or phantom increments", s.lock_lost_updates + s.lock_phantom_updates,
       zero(s.lock_lost_updates + s.lock_phantom_updates)},
      {"locks: deadlocks (no acquire within 10 s)", s.lock_deadlocks, zero(s.lock_deadlocks)},
      {"manager: confirmed updates lost or wrong", s.manager_lost + s.manager_wrong,
       zero(s.manager_lost + s.manager_wrong)},
      {"manager: errors without a manager fault", s.manager_unexpected_errors, zero(s.manager_unexpected_errors)},
      {"manager: calls answered by a killed server", s.manager_call_after_kill_ok, zero(s.manager_call_after_kill_ok)},
      {"process starts that failed", s.start_failures, zero(s.start_failures)},
      {"children ended unexpectedly", s.unexpected_exits, zero(s.unexpected_exits)},
      {"Process::kill() calls that threw", s.kill_errors, zero(s.kill_errors)},
      {"errors escaping the workloads", s.internal_errors, zero(s.internal_errors)},
      {"zombies after the run", s.zombies, zero(s.zombies)},
      {"descriptors leaked", s.leaked_fds, zero(s.leaked_fds)},
      {"temporary files left in the run's TMPDIR", s.tmp_left_in_run, zero(s.tmp_left_in_run)},
  };
  return rows;
}

void print_row(const std::string& label, const std::string& value, const std::string& verdict = "") {
  std::printf("  %-50s %12s  %s\n", label.c_str(), value.c_str(), verdict.c_str());
}

std::string n(std::int64_t v) { return v < 0 ? "n/a" : std::to_string(v); }

// Prints the summary; returns whether every check passed. Called once at the end, or by the
// watchdog when the run cannot finish.
bool print_summary(const std::string& fatal, bool supervised) {
  std::lock_guard lock(summary_mutex);
  Stats& s = stats();
  std::printf("\n=== mproc chaos run: %s\n", run_description.c_str());
  std::printf("faults injected\n");
  std::int64_t total = 0;
  for (int k = 0; k < fault_kinds; ++k) {
    print_row(fault_name(static_cast<Fault>(k)), n(s.faults[k]));
    total += s.faults[k];
  }
  print_row("total", n(total));
  std::printf("work done\n");
  print_row("pool items returned right / failed WorkerLostError",
            n(s.pool_ok) + " / " + n(s.pool_worker_lost));
  print_row("queue items confirmed / received", n(s.queue_confirmed) + " / " + n(s.queue_received));
  print_row("pipe round trips / echo child lost mid-exchange", n(s.pipe_round_trips) + " / " + n(s.pipe_peer_lost));
  print_row("pipe loopback messages (x.send; y.recv)", n(s.loopback_messages));
  print_row("lock increments / takeovers of a dead holder's lock",
            n(s.lock_increments) + " / " + n(s.lock_recoveries));
  print_row("lock waits > 10 s while others got it (unfair)", n(s.lock_starved));
  print_row("manager updates / losses seen / restarts",
            n(s.manager_updates) + " / " + n(s.manager_loss_detected) + " / " + n(s.manager_restarts));
  print_row("children started", n(s.children_started));
  std::printf("checks (required: 0)\n");
  bool pass = fatal.empty();
  for (const auto& row : check_rows()) {
    std::string verdict = row.found < 0 ? "n/a" : row.ok ? "ok" : "FAIL";
    std::string label = row.label;
    if (row.label == "descriptors leaked" && s.fds_before >= 0)
      label += " (" + n(s.fds_before) + " before, " + n(s.fds_after) + " after)";
    print_row(label, n(row.found), verdict);
    pass = pass && row.ok;
  }
  auto events = notes();
  if (!events.empty()) {
    std::printf("events (distinct, in order)\n");
    for (const auto& e : events) std::printf("  - %s\n", e.c_str());
  }
  if (!fatal.empty()) std::printf("the run could not finish: %s\n", fatal.c_str());
  std::printf("%s: %s\n", supervised ? "checks in the run" : "RESULT", pass ? "PASS" : "FAIL");
  std::fflush(stdout);
  return pass;
}

// --- Ending: waits for what has no event of its own --------------------------------------

// Polls `done` (a condition that sends no event: a non-child's death, the runtime's thread
// closing a descriptor) until it holds or `seconds` pass.
template <class F>
bool eventually(F&& done, double seconds) {
  auto t0 = Clock::now();
  while (!done()) {
    if (seconds_since(t0) > seconds) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

bool settle_children(double seconds) {
  return eventually([] { return mproc::active_children().empty(); }, seconds);
}

// Runs every workload once, on its own thread, until `stop`; returns once all have ended (the
// watchdog bounds this).
void run_workloads(RunContext& ctx, bool with_chaos, double seconds) {
  using Workload = void (*)(RunContext&, int);
  const Workload workloads[] = {pool_workload, queue_workload, pipe_workload, loopback_workload, lock_workload,
                                manager_workload};
  std::vector<std::thread> threads;
  int stream = ctx.warmup ? 100 : 0;
  for (Workload w : workloads) {
    threads.emplace_back([&ctx, w, s = stream++] {
      try {
        w(ctx, s);
      } catch (const std::exception& e) {
        ++stats().internal_errors;
        note(std::string("a workload ended with an exception: ") + e.what());
      }
    });
  }
  std::atomic<bool> chaos_stop{false};
  std::thread chaos;
  if (with_chaos) {
    chaos = std::thread([&] { chaos_thread(ctx.options, ctx.victims, chaos_stop); });
    auto end = Clock::now() + std::chrono::duration<double>(seconds);
    while (Clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(100));  // The run's length.
    chaos_stop.store(true);
    chaos.join();
    // No kill after this point: the rounds in flight end cleanly, and the end-of-run checks
    // see a quiet system.
    ctx.stop.store(true);
  }
  for (auto& t : threads) t.join();
}

int run(const Options& opt, bool supervised) {
  Watchdog::instance().start(opt.seconds + 300, [supervised](const std::string& why) {
    print_summary(why, supervised);
  });
  Victims victims;
  std::atomic<bool> stop{true};

  // Warm-up: one round of each workload, no faults. The runtime's thread, the forkserver and
  // the resource tracker start here and keep their descriptors for the whole run; the
  // baseline for the descriptor check is taken after it.
  {
    RunContext ctx{opt, victims, stop, true};
    run_workloads(ctx, false, 0);
  }
  const bool proc = posix_build() && fs::exists("/proc/self/fd");
  settle_children(15);
  if (proc) stats().fds_before = os::open_descriptors();
  trace("warm-up done");

  stop.store(false);
  {
    RunContext ctx{opt, victims, stop, false};
    run_workloads(ctx, true, opt.seconds);
  }
  trace("workloads ended");

  // After the run: every child must be reaped, every descriptor closed (bounded polls: reaping
  // and closing happen on the runtime's thread, after join() returned).
  if (!settle_children(20)) {
    ++stats().unexpected_exits;
    note("children still running after the run: " + std::to_string(mproc::active_children().size()));
  }
  if (proc) {
    eventually([] { return os::zombie_children() == 0; }, 10);
    stats().zombies = os::zombie_children();
    const std::int64_t before = stats().fds_before;
    eventually([before] { return os::open_descriptors() <= before; }, 10);
    stats().fds_after = os::open_descriptors();
    stats().leaked_fds = std::max<std::int64_t>(0, stats().fds_after - before);
    if (const char* tmp = std::getenv("TMPDIR"); tmp && supervised) {
      // The private folder the supervisor gave us: only the live forkserver's folder may be
      // there (its socket goes when this process ends).
      std::int64_t left = 0;
      for (const auto& name : os::list_dir(tmp)) {
        if (name.rfind("mproc-fs-", 0) == 0) continue;
        ++left;
        note("left in TMPDIR during the run: " + name);
      }
      stats().tmp_left_in_run = left;
    }
  }
  return print_summary("", supervised) ? 0 : 1;
}

// --- The supervisor (POSIX) ------------------------------------------------------------------

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool mproc_shm_name(const std::string& name, const std::string& token) {
  return name.rfind("chaos_" + token, 0) == 0 || name.rfind("psm_", 0) == 0 || name.rfind("mpm_", 0) == 0 ||
         name.rfind("sem.", 0) == 0;
}

std::string random_token() {
  std::random_device rd;
  std::ostringstream token;
  token << std::hex << (static_cast<std::uint64_t>(rd()) << 32 | rd());
  return token.str();
}

int supervise(int argc, char** argv, const Options& opt) {
  std::string exe = os::own_executable();
  const std::string token = random_token();
  fs::path tmp = fs::temp_directory_path() / ("mproc-chaos-" + token);
  std::error_code ec;
  fs::create_directories(tmp, ec);
  if (exe.empty() || ec) {
    std::fprintf(stderr, "mproc_chaos: cannot supervise (%s); running without\n", ec ? ec.message().c_str() : "no /proc/self/exe");
    return run(opt, false);
  }
  const bool has_shm = fs::exists("/dev/shm");
  auto shm_before = os::list_dir("/dev/shm");

  // The same arguments, the seed made explicit, a private TMPDIR (socket files, the
  // forkserver's folder) whose value also marks every process of the run in /proc/*/environ.
  std::string cmd = "TMPDIR=" + quote(tmp.string()) + " " + quote(exe);
  for (int i = 1; i < argc; ++i) cmd += " " + quote(argv[i]);
  cmd += " --seed " + std::to_string(opt.seed) + " --inner --token " + token;
  std::fflush(nullptr);
  int code = os::system_exit_code(std::system(cmd.c_str()));

  // What outlived the program. mproc's resource tracker removes what killed processes left
  // once the last process of the program has ended: poll for that, bounded.
  const std::string mark = "TMPDIR=" + tmp.string();
  std::vector<int> alive;
  std::vector<std::string> shm_left, tmp_left;
  auto measure = [&] {
    alive = os::processes_with_env(mark);
    shm_left.clear();
    if (has_shm)
      for (const auto& name : os::list_dir("/dev/shm"))
        if (!shm_before.count(name) && mproc_shm_name(name, token)) shm_left.push_back(name);
    tmp_left.clear();
    for (const auto& name : os::list_dir(tmp.string())) tmp_left.push_back(name);
    return alive.empty() && shm_left.empty() && tmp_left.empty();
  };
  eventually(measure, 20);

  std::printf("after the program ended (%s)\n", "checked by the supervisor");
  auto list = [](const auto& items) {
    std::string s;
    for (const auto& i : items) s += " " + [&] { std::ostringstream o; o << i; return o.str(); }();
    return s;
  };
  print_row("processes of the run still alive", std::to_string(alive.size()), alive.empty() ? "ok" : "FAIL");
  print_row("/dev/shm names left", has_shm ? std::to_string(shm_left.size()) : "n/a",
            !has_shm ? "n/a" : shm_left.empty() ? "ok" : "FAIL");
  print_row("files left in the run's TMPDIR", std::to_string(tmp_left.size()), tmp_left.empty() ? "ok" : "FAIL");
  if (!alive.empty()) std::printf("  processes:%s\n", list(alive).c_str());
  if (!shm_left.empty()) std::printf("  /dev/shm:%s\n", list(shm_left).c_str());
  if (!tmp_left.empty()) std::printf("  %s:%s\n", tmp.string().c_str(), list(tmp_left).c_str());
  fs::remove_all(tmp, ec);
  for (const auto& name : shm_left)
    if (name.rfind("chaos_" + token, 0) == 0) fs::remove(fs::path("/dev/shm") / name, ec);
  bool pass = code == 0 && alive.empty() && shm_left.empty() && tmp_left.empty();
  if (code != 0) std::printf("the run's own checks: exit code %d\n", code);
  std::printf("RESULT: %s\n", pass ? "PASS" : "FAIL");
  std::fflush(stdout);
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace chaos

int main(int argc, char** argv) {
  mproc::init(argc, argv);  // A spawned child runs its task here and never returns.
  using namespace chaos;
  // Unbuffered: a forked child must not flush a copy of our pending output, and a killed run
  // keeps its last words.
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  std::setvbuf(stderr, nullptr, _IONBF, 0);

  Options opt;
  bool seed_given = false;
  std::string error;
  if (!parse(argc, argv, opt, seed_given, error)) return usage(error.c_str());
  if (!seed_given) opt.seed = (static_cast<std::uint64_t>(std::random_device{}()) << 32) | std::random_device{}();
  set_verbose(opt.verbose);
  set_hold_on_hang(opt.hold_on_hang);
  const auto methods = mproc::get_all_start_methods();
  if (!opt.start_method.empty()) {
    if (std::find(methods.begin(), methods.end(), opt.start_method) == methods.end())
      return usage(("start method " + opt.start_method + " is not available here").c_str());
    mproc::set_start_method(opt.start_method);
  }

  if (opt.supervise && !opt.inner && posix_build()) return supervise(argc, argv, opt);

  std::ostringstream d;
  d << "start method " << mproc::get_start_method() << ", " << opt.seconds << " s, seed " << opt.seed
    << ", a fault every ~" << opt.mean_interval_ms << " ms" << (opt.self_test_fail ? ", --self-test-fail" : "")
    << "\n    replay: mproc_chaos --start-method " << mproc::get_start_method() << " --seconds " << opt.seconds
    << " --seed " << opt.seed;
  run_description = d.str();
  // Names the dict writers' shared-memory blocks (on Windows too, where they vanish with their
  // last handle).
  if (opt.token.empty()) opt.token = random_token();
  std::printf("mproc chaos run: %s\n", run_description.c_str());
  return run(opt, opt.inner);
}
