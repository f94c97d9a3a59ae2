#pragma once
// The parent's side of a Pool: the workers, each with a pipe of its own, and one handler thread
// that hands tasks out, collects results and watches the workers die.
//
// Why a pipe per worker rather than Python's shared task queue: the pool then knows which
// tasks each worker holds, so a worker that dies fails exactly the task it was running (the
// worker shows it in a shared slot) and the tasks queued behind it go to another worker, where
// Python's pool waits forever for the lost result (cpython gh-66587).
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mproc/connection.hpp"
#include "mproc/detail/pool_task.hpp"
#include "mproc/pool.hpp"
#include "mproc/process.hpp"
#include "mproc/sharedctypes.hpp"
#include "mproc/synchronize.hpp"
#include "pool/handler_thread.hpp"
#include "pool/pool_wire.hpp"
#include "pool/pool_worker.hpp"
#include "pool/worker_link.hpp"

namespace mproc::detail {

class PoolCore {
 public:
  explicit PoolCore(PoolOptions options, WorkerKind kind = WorkerKind::pool);
  ~PoolCore();

  void submit(std::vector<PoolTask> tasks);
  void close();
  void terminate();
  /// terminate(), killing the workers at once rather than after a grace period.
  void kill();
  void join();
  /// Asks the running or handed-out parts of `sink` to stop (their stop_token); with
  /// `grace` >= 0, kills their worker if they still run `grace` seconds after they started or
  /// were asked, whichever is later, and fails them with CancelledError.
  void stop_tasks(const TaskSink* sink, double grace);
  void check_running() const;
  int processes() const { return processes_; }
  std::vector<int> worker_pids() const;
  std::vector<Process> workers() const;
  /// Python's pool state names: RUN, CLOSE, TERMINATE (and BROKEN, which Python lacks).
  const char* state_name() const;

 private:
  enum class State { running, closed, terminating, broken };

  struct Sent {
    std::uint64_t id = 0;
    PoolTask task;
    std::int64_t stop_asked_ns = 0;  ///< when its stop was requested (0: never)
    double kill_grace = -1;          ///< >= 0: kill its worker this long after it stopped being asked
    std::exception_ptr instead;      ///< what it ends with whatever it returns (it timed out)
  };
  struct StopRequest {
    const TaskSink* sink;
    double grace;
  };
  struct Worker {
    std::unique_ptr<WorkerLink> link;
    std::deque<Sent> sent;        // in the order sent; results come back in that order
    std::size_t sent_bytes = 0;   // argument bytes of `sent`, bounding what sits in the pipe
    std::uint64_t sent_total = 0; // for maxtasksperchild
    bool ready = false;           // its initializer succeeded
    bool pipe_at_eof = false;
    bool stop_sent = false;
    bool killed = false;          // killed by the pool (a task timed out, or terminate)
    std::int64_t front_since_ns = 0;  // when sent.front() became first, for links that hide it
  };

  // Handler thread.
  void handle();
  void start_worker();
  void dispatch();
  void read_results(Worker& w);
  /// Bookkeeping of one result; the task it finished, to deliver.
  std::optional<Sent> on_result(Worker& w, WireResult& result);
  void on_worker_exit(std::size_t index);
  void enforce_timeouts();
  void take_stop_requests();
  void ask_to_stop(Worker& w, Sent& s, double grace);
  /// The task it runs and since when: from the worker where it shows it, else its first task
  /// since that became first.
  static std::pair<std::uint64_t, std::int64_t> running_task(const Worker& w);
  void kill_worker(Worker& w);
  int wait_timeout_ms();
  void maintain();
  void fail_everything(const std::function<std::exception_ptr()>& error);
  void break_pool(const std::string& why);
  void publish_pids();
  bool all_work_done() const;

  // What the handler runs for each sink, outside the lock.
  static void deliver(Sent& sent, std::string_view payload);
  static void fail(Sent& sent, std::exception_ptr error);

  void wake();

  // Settings.
  int processes_ = 0;
  std::uint64_t maxtasks_ = 0;
  std::string method_;
  std::shared_ptr<WorkerHost> host_;
  WorkerSettings settings_;
  WorkerKind kind_ = WorkerKind::pool;
  std::function<void()> local_initializer_;  // fork only
  bool has_initializer_ = false;

  // Shared with user threads.
  mutable std::mutex mutex_;
  State state_ = State::running;
  std::string broken_reason_;
  std::deque<PoolTask> submitted_;
  std::vector<StopRequest> stop_requests_;
  bool kill_now_ = false;
  bool handler_sleeping_ = false;
  bool wake_sent_ = false;
  std::vector<int> pids_;
  std::vector<Process> worker_processes_;
  Connection wake_reader_, wake_writer_;
  HandlerThread handler_;

  // Handler thread only (and the constructor, before it starts).
  std::vector<std::unique_ptr<Worker>> workers_;
  std::deque<PoolTask> queue_;
  std::uint64_t next_id_ = 1;
  double average_task_ns_ = 0;  // recent tasks' running time, to size prefetching
  int failed_starts_ = 0;       // workers in a row that died before they were ready
  State seen_state_ = State::running;
};

}  // namespace mproc::detail
