#include "futures/executor_core.hpp"

#include <string>
#include <utility>

#include "mproc/errors.hpp"

namespace mproc::detail {
namespace {

PoolOptions pool_options(ExecutorOptions& options) {
  if (options.max_workers < 0)
    throw ValueError("ProcessPoolExecutor: max_workers must be greater than 0 (0 means cpu_count())");
  if (options.cancel_grace < 0)
    throw ValueError("ProcessPoolExecutor: cancel_grace must be 0 or more seconds");
  PoolOptions pool;
  pool.processes = options.max_workers;
  pool.initializer = std::move(options.initializer);
  pool.maxtasksperchild = options.max_tasks_per_child;
  if (options.max_tasks_per_child && *options.max_tasks_per_child < 1)
    throw ValueError("ProcessPoolExecutor: max_tasks_per_child must be 1 or more, or unset");
  pool.start_method = options.start_method;
  pool.host = std::move(options.host);
  return pool;
}

std::vector<std::shared_ptr<FutureState>> live_futures(ExecutorCore& core) {
  std::vector<std::shared_ptr<FutureState>> out;
  std::lock_guard lock(core.mutex);
  for (auto& weak : core.futures)
    if (auto f = weak.lock()) out.push_back(std::move(f));
  return out;
}

}  // namespace

ExecutorCore::ExecutorCore(ExecutorOptions options)
    : grace(options.cancel_grace) {
  pool = std::make_shared<PoolCore>(pool_options(options), WorkerKind::executor);
  max_workers = pool->processes();
}

std::shared_ptr<ExecutorCore> make_executor_core(ExecutorOptions options) {
  return std::make_shared<ExecutorCore>(std::move(options));
}

void attach_future(const std::shared_ptr<ExecutorCore>& core, FutureState& state) {
  state.attach(core, core->grace);
}

void executor_submit(ExecutorCore& core, std::vector<PoolTask> tasks) {
  {
    std::lock_guard lock(core.mutex);
    if (core.shut_down)
      throw RuntimeError("ProcessPoolExecutor: cannot schedule new futures after shutdown");
    if (core.futures.size() >= core.prune_at) {
      std::erase_if(core.futures, [](const std::weak_ptr<FutureState>& weak) {
        auto f = weak.lock();
        return !f || f->done();
      });
      core.prune_at = std::max<std::size_t>(1024, 2 * core.futures.size());
    }
    for (auto& t : tasks) core.futures.push_back(std::static_pointer_cast<FutureState>(t.sink));
  }
  try {
    core.pool->submit(std::move(tasks));
  } catch (const BrokenPoolError& e) {
    throw BrokenPoolError(std::string("ProcessPoolExecutor: ") + e.what());
  } catch (const ValueError&) {
    // Shut down by another thread between the check above and now.
    throw RuntimeError("ProcessPoolExecutor: cannot schedule new futures after shutdown");
  }
}

void executor_shutdown(ExecutorCore& core, bool wait, bool cancel_futures) {
  {
    std::lock_guard lock(core.mutex);
    core.shut_down = true;
  }
  if (cancel_futures)
    for (auto& f : live_futures(core)) f->cancel(Cancel::if_pending, std::nullopt);
  core.pool->close();
  if (wait) core.pool->join();
}

void executor_terminate(ExecutorCore& core, bool kill) {
  {
    std::lock_guard lock(core.mutex);
    core.shut_down = true;
  }
  for (auto& f : live_futures(core)) f->cancel(Cancel::if_pending, std::nullopt);
  if (kill)
    core.pool->kill();
  else
    core.pool->terminate();
  core.pool->join();
}

int executor_max_workers(const ExecutorCore& core) { return core.max_workers; }
double executor_grace(const ExecutorCore& core) { return core.grace; }
std::vector<Process> executor_workers(const ExecutorCore& core) { return core.pool->workers(); }

std::string executor_repr(const ExecutorCore& core) {
  std::string state = core.pool->state_name();
  std::string name = state == "RUN" ? "running" : state == "CLOSE" ? "shutdown"
                   : state == "BROKEN" ? "broken" : "terminated";
  return "<ProcessPoolExecutor max_workers=" + std::to_string(core.max_workers) +
         " state=" + name + ">";
}

void executor_stop_task(ExecutorCore& core, const TaskSink* sink, double grace) {
  core.pool->stop_tasks(sink, grace);
}

}  // namespace mproc::detail
