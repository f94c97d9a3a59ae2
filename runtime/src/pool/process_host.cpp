// Workers as processes on this machine, under the pool's start method.
#include <atomic>
#include <utility>

#include "mproc/current_process.hpp"
#include "mproc/platform/sentinel.hpp"
#include "mproc/sharedctypes.hpp"
#include "mproc/synchronize.hpp"
#include "connection/plain_pipe.hpp"
#include "pool/pool_worker.hpp"
#include "pool/worker_link.hpp"

namespace mproc::detail {
namespace {

// What a spawned or forkserver worker runs.
void pool_worker_entry(Connection pipe, RawValue<WorkerSlot> slot, WorkerSettings settings) {
  run_pool_worker(std::move(pipe), slot.get(), settings, {}, nullptr);
}

// An executor's: with the doorbell that says a task was asked to stop.
void executor_worker_entry(Connection pipe, RawValue<WorkerSlot> slot, WorkerSettings settings,
                           Semaphore doorbell) {
  run_pool_worker(std::move(pipe), slot.get(), settings, {}, &doorbell);
}

// Python's names: a Pool's `SpawnPoolWorker-3`, an executor's `SpawnProcess-3`.
std::string pool_worker_name(const std::string& method, WorkerKind kind, std::string name) {
  std::string prefix = method == "fork" ? "Fork" : method == "spawn" ? "Spawn" : "ForkServer";
  prefix += kind == WorkerKind::pool ? "PoolWorker" : "Process";
  if (name.rfind("Process", 0) == 0) name.replace(0, 7, prefix);
  return name;
}

class ProcessLink final : public WorkerLink {
 public:
  ProcessLink(Process process, Connection pipe, RawValue<WorkerSlot> slot,
              std::optional<Semaphore> doorbell)
      : process_(std::move(process)), pipe_(std::move(pipe)), slot_(std::move(slot)),
        doorbell_(std::move(doorbell)) {}

  Connection& pipe() override { return pipe_; }
  std::optional<platform::handle_ref> sentinel() const override {
    return platform::handle_ref{process_.sentinel(), platform::sentinel_kind()};
  }
  // The running task and since when, read consistently while the worker may move on.
  std::optional<std::pair<std::uint64_t, std::int64_t>> running() const override {
    WorkerSlot* slot = slot_.get();
    for (;;) {
      auto id = std::atomic_ref<std::uint64_t>(slot->running).load(std::memory_order_acquire);
      auto started = std::atomic_ref<std::int64_t>(slot->started_ns).load(std::memory_order_relaxed);
      if (std::atomic_ref<std::uint64_t>(slot->running).load(std::memory_order_acquire) == id)
        return std::pair{id, started};
    }
  }
  void request_stop(std::uint64_t id) override {
    request_stop_in(slot_.get(), id);
    if (!doorbell_) return;
    try {
      doorbell_->release();
    } catch (const Error&) {
      // It is dying: its sentinel settles the task.
    }
  }
  bool can_kill() const override { return true; }
  void terminate() override { process_.terminate(); }
  void kill() override { process_.kill(); }
  void join() override { process_.join(); }
  std::optional<int> exitcode() const override { return process_.exitcode(); }
  std::string title() const override {
    return process_.name() + " (pid " + std::to_string(process_.pid().value_or(0)) + ")";
  }
  std::string how_it_ended() const override {
    auto code = process_.exitcode();
    if (!code) return "ended";
    if (*code < 0) return "was killed by signal " + std::to_string(-*code);
    return "exited with code " + std::to_string(*code);
  }
  const Process* process() const override { return &process_; }

 private:
  Process process_;
  Connection pipe_;
  RawValue<WorkerSlot> slot_;
  std::optional<Semaphore> doorbell_;  // executors: rung when a stop is requested in `slot_`
};

class ProcessHost final : public WorkerHost {
 public:
  explicit ProcessHost(std::string method) : method_(std::move(method)) {}

  int default_count() override { return cpu_count(); }
  bool runs_local_initializer() const override { return method_ == "fork"; }
  std::string where() const override { return "the " + method_ + " start method"; }

  std::unique_ptr<WorkerLink> start(const WorkerSettings& settings, WorkerKind kind,
                                    const std::function<void()>& local_initializer) override {
    RawValue<WorkerSlot> slot;
    auto [ours, theirs] = plain_pipe(true);  // the result thread waits on its descriptor
    ProcessOptions options;
    options.daemon = true;
    options.start_method = method_;
    std::optional<Semaphore> doorbell;
    if (kind == WorkerKind::executor) doorbell.emplace(0);
    Process process = method_ == "fork"
        ? Process(options, [pipe = theirs, slot, settings, init = local_initializer,
                            doorbell]() mutable {
            run_pool_worker(pipe, slot.get(), settings, init, doorbell ? &*doorbell : nullptr);
          })
        : doorbell ? Process(options, &executor_worker_entry, theirs, slot, settings, *doorbell)
                   : Process(options, &pool_worker_entry, theirs, slot, settings);
    process.set_name(pool_worker_name(method_, kind, process.name()));
    process.start();
    theirs.close();  // the worker has its own copy; ours would hide its death from the pipe
    return std::make_unique<ProcessLink>(std::move(process), ours, slot, doorbell);
  }

 private:
  std::string method_;
};

}  // namespace

std::shared_ptr<WorkerHost> make_process_host(const std::string& start_method) {
  return std::make_shared<ProcessHost>(start_method);
}

}  // namespace mproc::detail
