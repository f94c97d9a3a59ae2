#include "pool/pool_worker.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "pool/code_cache.hpp"
#include "mproc/detail/pool_task.hpp"
#include "mproc/errors.hpp"
#include "mproc/remote_exceptions.hpp"
#include "mproc/platform/allocator.hpp"
#include "core/identity.hpp"

namespace mproc::detail {
namespace {

// A task shorter than this has its result held back and sent with the next ones; a longer
// one's result is sent at once, so a result is never later than this after its task ended.
constexpr auto flush_interval = std::chrono::microseconds(200);

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class ResultWriter {
 public:
  explicit ResultWriter(Connection& pool) : pool_(pool) {}
  void add(WireResult result) { pending_.push_back(std::move(result)); }
  bool empty() const { return pending_.empty(); }
  /// Sends what is held back; false when the pool is gone.
  bool flush() {
    if (pending_.empty()) return true;
    buffer_.clear();
    wire::save_into(buffer_, pending_);
    pending_.clear();
    try {
      pool_.send_bytes(buffer_);
      return true;
    } catch (const Error&) {
      return false;
    }
  }

 private:
  Connection& pool_;
  std::vector<WireResult> pending_;
  std::string buffer_;
};

struct StopState;
void watch_doorbell(const std::shared_ptr<StopState>& state, Semaphore doorbell);

// An executor worker's view of the task it runs, shared by the task (its stop_token) and the
// thread that waits on the doorbell. The source, and the thread, are made only when a task asks
// for its token: a worker whose tasks never look does not pay for a thread at start and exit.
struct StopState {
  std::mutex mutex;
  WorkerSlot* slot = nullptr;
  std::optional<Semaphore> doorbell;
  bool watching = false;  // the doorbell's thread runs
  std::uint64_t running = 0;
  bool stop = false;
  bool quit = false;
  std::optional<std::stop_source> source;

  void begin(std::uint64_t id) {
    std::lock_guard lock(mutex);
    running = id;
    source.reset();
    stop = stop_requested_in(slot, id);
  }
  void end() {
    std::lock_guard lock(mutex);
    running = 0;
    source.reset();
    stop = false;
  }
  // The doorbell rang: was it for the running task?
  void check() {
    std::lock_guard lock(mutex);
    if (running == 0 || stop || !stop_requested_in(slot, running)) return;
    stop = true;
    if (source) source->request_stop();
  }
  // The running task asks for its token (under `mutex`). A request made before the thread
  // existed rang a doorbell nobody waited on: the slot is read here, and the thread still finds
  // those rings counted in the semaphore (it then only rechecks).
  void start_watching(const std::shared_ptr<StopState>& self) {
    if (watching || !doorbell) return;
    watching = true;
    if (running != 0 && !stop) stop = stop_requested_in(slot, running);
    watch_doorbell(self, *doorbell);
  }
};

// A worker is a process of its own: one state at most, set while the worker runs.
std::shared_ptr<StopState>& stop_state() {
  static std::shared_ptr<StopState> state;
  return state;
}

void watch_doorbell(const std::shared_ptr<StopState>& state, Semaphore doorbell) {
  // Detached: it may be blocked on the doorbell when the worker exits, which ends it.
  std::thread([state, doorbell]() mutable {
    for (;;) {
      doorbell.acquire();
      {
        std::lock_guard lock(state->mutex);
        if (state->quit) return;
      }
      state->check();
    }
  }).detach();
}

void mark(WorkerSlot* slot, std::uint64_t id) {
  if (id != 0) std::atomic_ref<std::int64_t>(slot->started_ns).store(now_ns(), std::memory_order_relaxed);
  std::atomic_ref<std::uint64_t>(slot->running).store(id, std::memory_order_release);
}

// Runs `body`; an exception it throws becomes `failed` with the exception encoded (its type,
// message and state, see remote_exceptions.hpp), as Python's worker wraps it. mproc::exit
// (SystemExit) is not caught: it ends the worker, as `sys.exit` would.
template <class Body>
void capture(WireResult& out, Outcome failed, const char* what, Body&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    out.outcome = failed;
    out.payload = encode_exception(e);
  } catch (const SystemExit&) {
    throw;
  } catch (...) {
    out.outcome = failed;
    out.payload = encode_unknown_exception(std::string(what) +
                                           " threw something that is not a std::exception");
  }
}

WireResult run_task(WireTask& task) {
  WireResult result;
  result.id = task.id;
  capture(result, Outcome::error, "a task", [&] {
    auto trampoline = reinterpret_cast<pool_trampoline>(
        const_cast<void*>(resolve_code_cached(task.trampoline)));
    trampoline(resolve_code_cached(task.target), task.args, result.payload);
  });
  return result;
}

// The initializer's outcome as the first message: ready, or why it failed.
WireResult run_initializer(const WorkerSettings& settings,
                           const std::function<void()>& local_initializer) {
  WireResult hello;
  hello.outcome = Outcome::ready;
  capture(hello, Outcome::init_failed, "the initializer", [&] {
    if (local_initializer) {
      local_initializer();
    } else if (!settings.initializer_trampoline.null) {
      auto trampoline = reinterpret_cast<trampoline_fn>(
          const_cast<void*>(resolve_code_cached(settings.initializer_trampoline)));
      trampoline(resolve_code_cached(settings.initializer_target), settings.initializer_args);
    }
  });
  return hello;
}

// Ends the doorbell's thread, if one was started, when the worker returns (normally or by
// mproc::exit).
struct StopStateScope {
  Semaphore* doorbell = nullptr;
  ~StopStateScope() {
    auto& state = stop_state();
    if (!state || doorbell == nullptr) return;
    {
      std::lock_guard lock(state->mutex);
      state->quit = true;
      if (!state->watching) return;
    }
    try {
      doorbell->release();
    } catch (...) {
    }
  }
};

}  // namespace

bool stop_requested_in(const WorkerSlot* slot, std::uint64_t id) {
  auto* s = const_cast<WorkerSlot*>(slot);
  std::uint64_t count = std::atomic_ref<std::uint64_t>(s->cancel_count).load(std::memory_order_acquire);
  if (count == 0) return false;
  constexpr std::uint64_t size = std::size(WorkerSlot{}.cancel_ids);
  for (std::uint64_t i = 0; i < std::min(count, size); ++i)
    if (std::atomic_ref<std::uint64_t>(s->cancel_ids[i]).load(std::memory_order_relaxed) == id) return true;
  return false;
}

void request_stop_in(WorkerSlot* slot, std::uint64_t id) {
  constexpr std::uint64_t size = std::size(WorkerSlot{}.cancel_ids);
  std::uint64_t count = std::atomic_ref<std::uint64_t>(slot->cancel_count).load(std::memory_order_relaxed);
  std::atomic_ref<std::uint64_t>(slot->cancel_ids[count % size]).store(id, std::memory_order_relaxed);
  std::atomic_ref<std::uint64_t>(slot->cancel_count).store(count + 1, std::memory_order_release);
}

std::stop_token current_task_stop_token() {
  auto& state = stop_state();
  if (!state) return {};
  std::lock_guard lock(state->mutex);
  state->start_watching(state);
  if (!state->source) {
    state->source.emplace();
    if (state->stop) state->source->request_stop();
  }
  return state->source->get_token();
}

void run_pool_worker(Connection pool, WorkerSlot* slot, const WorkerSettings& settings,
                     const std::function<void()>& local_initializer, Semaphore* doorbell) {
  platform::keep_freed_memory_for_reuse();
  if (settings.executor) {
    // Python's executor workers are not daemonic, so nested executors work; this one still
    // dies with the pool's owner (armed when it started as a daemon).
    Identity me = current_identity();
    me.daemon = false;
    set_identity(std::move(me));
  }
  ResultWriter results(pool);
  WireResult hello = run_initializer(settings, local_initializer);
  bool init_ok = hello.outcome == Outcome::ready;
  results.add(std::move(hello));
  if (!results.flush() || !init_ok) return;
  StopStateScope scope{doorbell};
  std::shared_ptr<StopState> stops;
  if (doorbell != nullptr) {
    stops = std::make_shared<StopState>();
    stops->slot = slot;
    stops->doorbell = *doorbell;
    stop_state() = stops;
  }

  std::uint64_t done = 0;
  std::string message;
  for (;;) {
    try {
      message = pool.recv_bytes();
    } catch (const Error&) {
      return;  // the pool is gone
    }
    TaskBatch batch;
    wire::load(message, batch);
    auto last_flush = std::chrono::steady_clock::now();
    for (WireTask& task : batch.tasks) {
      mark(slot, task.id);
      if (stops) stops->begin(task.id);
      WireResult result;
      try {
        result = run_task(task);
      } catch (const SystemExit&) {
        results.flush();  // what finished before still counts
        throw;
      }
      if (stops) stops->end();
      mark(slot, 0);
      auto now = std::chrono::steady_clock::now();
      result.duration_ns = static_cast<std::uint64_t>(
          now_ns() - std::atomic_ref<std::int64_t>(slot->started_ns).load(std::memory_order_relaxed));
      results.add(std::move(result));
      ++done;
      bool last = &task == &batch.tasks.back() || (settings.maxtasks != 0 && done >= settings.maxtasks);
      if (last || now - last_flush >= flush_interval) {
        if (!results.flush()) return;
        last_flush = now;
      }
      if (settings.maxtasks != 0 && done >= settings.maxtasks) return;
    }
    if (batch.stop) return;
  }
}

}  // namespace mproc::detail
