// The builtin "Pool" kind of a manager (Python's `manager.Pool(n)`): a Pool in the server
// process. Each job (apply_async, map_async) becomes an object of its own, an "AsyncResult",
// that the caller's proxy refers to; it goes with that proxy.
#include <condition_variable>
#include <exception>
#include <mutex>

#include "core/identity.hpp"
#include "managers/managed_object.hpp"
#include "managers/pool_job_request.hpp"
#include "mproc/manager_pool.hpp"
#include "mproc/pool.hpp"
#include "pool/code_cache.hpp"

namespace mproc::detail {

struct PoolSubmitAccess {
  static void submit(Pool& pool, std::vector<PoolTask> tasks) { pool.submit(std::move(tasks)); }
};

namespace {

template <class T>
T decoded(std::vector<std::string>& args, std::size_t index, std::string_view kind,
          std::string_view method) {
  T value{};
  wire::load(argument(args, index, kind, method), value);
  return value;
}

// One job's outcome: filled part by part on the pool's handler thread, read by callers.
class PoolJob final : public ManagedObject, public TaskSink {
 public:
  PoolJob(std::size_t parts, bool is_map) : remaining_(parts) {
    result_.is_map = is_map;
    result_.parts.resize(parts);
  }

  void deliver(std::size_t part, std::string_view payload) override {
    std::lock_guard lock(mutex_);
    result_.parts.at(part) = std::string(payload);
    finish_part();
  }
  void fail(std::size_t part, std::exception_ptr error) override {
    std::lock_guard lock(mutex_);
    if (!error_ || part < failed_part_) {  // the first failing chunk's error, as Pool::map
      error_ = error;
      failed_part_ = part;
    }
    finish_part();
  }

  std::string call(CallContext& context, std::string_view method,
                   std::vector<std::string>& args) override {
    std::unique_lock lock(mutex_);
    auto done = [&] { return remaining_ == 0; };
    if (method == "get" || method == "wait") {
      auto timeout = decoded<std::optional<double>>(args, 0, "AsyncResult", method);
      bool ready = wait_for_caller(lock, finished_, timeout, context, done);
      if (method == "wait") return {};
      if (!ready)
        throw TimeoutError("the manager's pool did not finish this task in time; call get() "
                           "again or with a longer timeout");
      if (error_) std::rethrow_exception(error_);
      return wire::save(result_);
    }
    if (method == "ready") return wire::save(done());
    if (method == "successful") {
      if (!done())
        throw ValueError("the task is not ready yet; call successful() after ready() or wait()");
      return wire::save(error_ == nullptr);
    }
    no_such_method("AsyncResult", method);
  }

 private:
  void finish_part() {
    if (remaining_ > 0 && --remaining_ == 0) finished_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable finished_;
  std::size_t remaining_;
  PoolJobResult result_;
  std::exception_ptr error_;
  std::size_t failed_part_ = 0;
};

// A manager's server is a daemonic child, and daemonic processes may not start children; a
// Pool's workers are the exception Python makes too (its manager process is not daemonic).
// The server still dies with its owner: that protection was armed when it started.
void allow_pool_workers() {
  Identity me = current_identity();
  if (!me.daemon) return;
  me.daemon = false;
  set_identity(std::move(me));
}

class ManagedPool final : public ManagedObject {
 public:
  explicit ManagedPool(PoolOptions options) : pool_((allow_pool_workers(), std::move(options))) {}

  std::string call(CallContext& context, std::string_view method,
                   std::vector<std::string>& args) override {
    if (method == "apply_async" || method == "map_async") return submit(context, args, method);
    if (method == "close") {
      pool_.close();
      return {};
    }
    if (method == "terminate") {
      pool_.terminate();
      return {};
    }
    if (method == "join") {
      pool_.join();
      return {};
    }
    if (method == "processes") return wire::save(pool_.processes());
    no_such_method("Pool", method);
  }

 private:
  std::string submit(CallContext& context, std::vector<std::string>& args,
                     std::string_view method) {
    auto request = decoded<PoolJobRequest>(args, 0, "Pool", method);
    auto trampoline = reinterpret_cast<pool_trampoline>(
        const_cast<void*>(resolve_code_cached(request.trampoline)));
    const void* target = resolve_code_cached(request.target);
    auto job = std::make_shared<PoolJob>(request.chunks.size(), request.is_map);
    std::vector<PoolTask> tasks;
    for (std::size_t part = 0; part < request.chunks.size(); ++part) {
      PoolTask task;
      task.trampoline = trampoline;
      task.target = target;
      task.args = std::move(request.chunks[part]);
      task.sink = job;
      task.part = part;
      tasks.push_back(std::move(task));
    }
    // Held only once submitted: a refused submission (a closed pool) leaves nothing behind.
    // The tasks keep the job alive meanwhile, so one that ends at once still finds it.
    if (!tasks.empty()) PoolSubmitAccess::submit(pool_, std::move(tasks));
    return context.hold(job, "AsyncResult");
  }

  Pool pool_;
};

}  // namespace

std::shared_ptr<ManagedObject> make_managed_pool(CallContext&, std::vector<std::string>& args) {
  PoolOptions options;
  options.processes = decoded<int>(args, 0, "Pool", "Pool");
  options.start_method = decoded<std::string>(args, 1, "Pool", "Pool");
  return std::make_shared<ManagedPool>(std::move(options));
}

}  // namespace mproc::detail
