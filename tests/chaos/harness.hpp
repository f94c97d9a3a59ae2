#pragma once
// The chaos run's shared machinery: counters, the list of processes the chaos thread may kill,
// and the watchdog that turns any call that does not return in time into a counted hang.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <mproc/mproc.hpp>

namespace chaos {

using Clock = std::chrono::steady_clock;
using Counter = std::atomic<std::int64_t>;

/// What the chaos thread kills.
enum class Fault { pool_worker, producer, pipe_peer, lock_holder, dict_writer, manager, forkserver };
inline constexpr int fault_kinds = 7;
const char* fault_name(Fault f);

/// Every figure the summary prints. Workloads, the chaos thread and the watchdog update them
/// concurrently. End-of-run checks start at -1 ("not measured": not applicable here).
struct Stats {
  Counter faults[fault_kinds]{};

  Counter hangs{0};  // any wait that hit its bound, any call the watchdog caught

  Counter pool_ok{0}, pool_worker_lost{0}, pool_wrong{0}, pool_other_errors{0}, pool_broken{0};

  Counter queue_confirmed{0}, queue_received{0}, queue_lost{0}, queue_duplicated{0}, queue_bad{0};

  Counter pipe_round_trips{0}, pipe_peer_lost{0}, pipe_wrong{0}, pipe_errors{0};
  Counter loopback_messages{0}, loopback_wrong{0};

  Counter lock_increments{0}, lock_lost_updates{0}, lock_phantom_updates{0}, lock_deadlocks{0},
      lock_recoveries{0}, lock_starved{0};

  Counter manager_updates{0}, manager_lost{0}, manager_wrong{0}, manager_loss_detected{0},
      manager_unexpected_errors{0}, manager_restarts{0}, manager_call_after_kill_ok{0};

  Counter children_started{0}, start_failures{0}, unexpected_exits{0};
  Counter kill_errors{0};      // Process::kill() that threw (killing a child we hold must work)
  Counter internal_errors{0};  // an exception that escaped a workload's own checks

  Counter zombies{-1}, leaked_fds{-1}, fds_before{-1}, fds_after{-1}, tmp_left_in_run{-1};
};

Stats& stats();

/// Prints a line at once on stderr (unbuffered, one write) and keeps the first few for the
/// summary. For events worth a look: hangs, wrong values, unexpected errors.
void note(const std::string& line);
std::vector<std::string> notes();
/// A progress line on stderr, only with --verbose.
void trace(const std::string& line);
void set_verbose(bool on);

/// --hold-on-hang: before a hang is unstuck (its process killed), says which processes are
/// involved and waits that long, so that a debugger can be attached. 0: off.
void set_hold_on_hang(double seconds);
void hold_for_debugger(const std::string& what, std::optional<int> pid = std::nullopt);

/// The run's options.
struct Options {
  double seconds = 120;
  std::string start_method;  // empty: the platform's default
  std::uint64_t seed = 0;
  double mean_interval_ms = 150;  // between two faults
  bool self_test_fail = false;    // drop one confirmed queue item on purpose: the run must FAIL
  bool supervise = true;          // POSIX: run the workload in a child program, check after it
  bool inner = false;             // this is that child program
  bool verbose = false;
  double hold_on_hang = 0;        // seconds to wait before unsticking a hang (attach a debugger)
  std::string token;              // names this run's /dev/shm blocks and temporary folder
};

/// A random engine per thread, derived from the seed (the sequence of choices replays; the
/// timing of course does not).
std::mt19937_64 make_rng(std::uint64_t seed, int stream);
int uniform(std::mt19937_64& rng, int lo, int hi);  // [lo, hi]

/// The processes the chaos thread may kill, registered by the workloads that own them.
class Victims {
 public:
  void add(Fault kind, const mproc::Process& p);
  void remove(const mproc::Process& p);
  /// The pool whose workers may be killed (null: none now).
  void set_pool(std::shared_ptr<mproc::Pool> pool);
  std::shared_ptr<mproc::Pool> pool();

  /// The running manager's server: its pid and a generation number that changes with each new
  /// manager, so a workload can tell whether *its* manager was killed.
  void set_manager(std::optional<int> pid, int generation);
  bool manager_killed(int generation);
  /// The pid of the manager server of `generation`, if it is the current one.
  std::optional<int> manager_pid(int generation);
  /// Marks the manager as killed *before* killing it (a proxy error seen after the kill then
  /// always finds the mark), then kills it. False when there is no live manager to kill.
  bool kill_manager();

  /// Kills the forkserver. Under mproc's design its daemonic children (every child of this run,
  /// the manager's server included) die with it, so the manager is marked as killed first, and
  /// a counter lets workloads tell such collateral deaths (exit code -9, or 255 when the
  /// forkserver could not report one) from unexpected ones.
  bool kill_forkserver(int pid);
  int forkserver_kills();

  /// Kills a random registered child of `kind` (a held Process: Process::kill). False if none.
  bool kill_child(Fault kind, std::mt19937_64& rng);
  bool has_child(Fault kind);

 private:
  std::mutex mutex_;
  std::vector<std::pair<Fault, mproc::Process>> children_;
  std::shared_ptr<mproc::Pool> pool_;
  std::optional<int> manager_pid_;
  int manager_generation_ = 0;
  bool manager_killed_ = false;
  int forkserver_kills_ = 0;
};

/// Turns calls that have no timeout of their own (a proxy call, a pipe recv, Pool::join,
/// starting a manager) into bounded ones: each workload thread owns a slot; a call running past
/// its bound is counted as a hang, named on stderr, and its `unstick` action runs (typically
/// killing the peer, so the call fails instead of waiting forever). A call still stuck long
/// after that, or a run past its total deadline, ends the program with the summary and FAIL.
class Watchdog {
 public:
  struct Slot {
    std::string workload;
    std::atomic<std::int64_t> deadline_ns{0};  // 0: idle
    std::atomic<const char*> what{nullptr};
    std::atomic<bool> flagged{false};
    std::mutex unstick_mutex;
    std::function<void()> unstick;
  };

  static Watchdog& instance();
  Slot& slot(const std::string& workload);
  /// Starts the thread. `on_fatal` prints the summary; the process then ends with exit code 1.
  void start(double total_seconds, std::function<void(const std::string&)> on_fatal);
  /// A run-level bound, e.g. while joining the workload threads.
  void extend_total(double seconds_from_now);

 private:
  void loop();
  std::mutex mutex_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<std::int64_t> total_deadline_ns_{0};
  std::function<void(const std::string&)> on_fatal_;
};

/// One watched call (RAII). `what` must be a string literal.
class Bounded {
 public:
  Bounded(Watchdog::Slot& slot, const char* what, double seconds, std::function<void()> unstick = {});
  ~Bounded();
  Bounded(const Bounded&) = delete;
  Bounded& operator=(const Bounded&) = delete;
  /// Whether the watchdog caught this call (it is already counted as a hang).
  bool hung() const { return slot_.flagged.load(); }

 private:
  Watchdog::Slot& slot_;
};

std::int64_t now_ns();
double seconds_since(Clock::time_point t);

/// Whether this is a POSIX build (the /proc and /dev/shm checks apply). Under Wine, Linux paths
/// still exist for a Windows build, so the platform is asked, not the file system.
bool posix_build();

}  // namespace chaos
