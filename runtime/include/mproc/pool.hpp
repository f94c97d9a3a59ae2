#pragma once
// `mproc::Pool`: Python's `multiprocessing.Pool`, that never hangs when a worker dies.
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mproc/async_result.hpp"
#include "mproc/detail/pool_task.hpp"
#include "mproc/detail/printable.hpp"
#include "mproc/detail/task.hpp"
#include "mproc/process.hpp"

namespace mproc {

namespace detail {
/// What a map of a function returning void gives after its static_assert: something on which
/// the caller's `.take()`, `.get()` or range-for compile, so that the library's one-line message
/// is the only error (not a page of `std::vector<void>` errors).
struct RefusedMap {
  void take() {}
  void get() {}
  void wait() {}
  int* begin() { return nullptr; }
  int* end() { return nullptr; }
};

class PoolCore;
class WorkerHost;         // where workers run (runtime/src/pool/worker_link.hpp)
struct PoolSubmitAccess;  // a manager's Pool submits tasks that arrive already encoded
}

/// What each worker runs once when it starts (Python's `initializer` and `initargs`), made with
/// `mproc::initializer(f, args...)`. A plain function or captureless lambda runs under every
/// start method; a capturing lambda under fork only.
struct PoolInitializer {
  detail::Task task;
};

template <class F, class... Args>
PoolInitializer initializer(F&& f, Args&&... args) {
  return {detail::make_task(std::forward<F>(f), std::forward<Args>(args)...)};
}

/// Python's keyword arguments of `Pool(...)`.
struct PoolOptions {
  int processes = 0;                   ///< 0: `cpu_count()`
  PoolInitializer initializer;         ///< run once in each worker as it starts
  std::optional<int> maxtasksperchild; ///< replace a worker after this many tasks
  std::string start_method;            ///< empty: the default context's method
  /// Where the workers run: empty for processes on this machine (under `start_method`);
  /// `mproc::mpi::ranks()` (`<mproc/mpi.hpp>`, the mproc_mpi library) for an MPI job's ranks.
  std::shared_ptr<detail::WorkerHost> host;
};

/// A pool of worker processes running tasks (plain functions or captureless lambdas, with
/// serializable arguments and results) under every start method.
///
/// Beyond Python: a worker that dies while it runs a task (crash, kill, `exit`) fails that task
/// with WorkerLostError and is replaced, and every other task completes; a task may have its own
/// timeout; an initializer that fails breaks the pool (BrokenPoolError) instead of respawning
/// workers forever; nothing waits forever on a terminated pool (PoolTerminatedError).
///
/// Destroying a pool terminates it, like leaving Python's `with Pool() as p:` block; call
/// `close()` and `join()` first to let queued tasks finish.
class Pool {
 public:
  /// `processes` workers (0: `cpu_count()`).
  explicit Pool(int processes = 0);
  explicit Pool(PoolOptions options);
  Pool(Pool&&) noexcept = default;
  Pool& operator=(Pool&&) noexcept;
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool();

  /// Calls `f(args...)` in a worker and waits for its result.
  template <class F, class... Args>
  auto apply(F&& f, Args&&... args) {
    return apply_async(std::forward<F>(f), std::forward<Args>(args)...).take();
  }

  /// Calls `f(args...)` in a worker; the result arrives in the returned AsyncResult.
  template <class F, class... Args>
    requires(!is_task_options_v<std::decay_t<F>>)
  auto apply_async(F&& f, Args&&... args) {
    return apply_async(TaskOptions<>{}, std::forward<F>(f), std::forward<Args>(args)...);
  }

  /// The same with a callback, error callback or timeout: `mproc::callback(cb)`, ...
  template <class CB, class ECB, class F, class... Args>
  auto apply_async(TaskOptions<CB, ECB> options, F&& f, Args&&... args) {
    using Fn = detail::pool_fn_t<F>;
    using R = std::invoke_result_t<Fn&, std::decay_t<Args>&...>;
    detail::check_pool_target<Fn>();
    detail::check_pool_result<R>();
    static_assert(detail::transferable_or_explained<std::tuple<std::decay_t<Args>...>>(),
                  "mproc::Pool: every argument must be serializable (add a `serialize` member)");
    if constexpr (!refused_task<R, std::tuple<std::decay_t<Args>...>>()) {
      auto state = std::make_shared<detail::ApplyState<R>>();
      set_callbacks(*state, options);
      detail::PoolTask task;
      task.trampoline = &detail::run_call<Fn, std::decay_t<Args>...>;
      task.target = detail::address_of_target<Fn>(Fn(std::forward<F>(f)));
      task.args = wire::save(std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...));
      task.sink = state;
      task.timeout_seconds = options.timeout_seconds.value_or(0);
      std::vector<detail::PoolTask> tasks;
      tasks.push_back(std::move(task));
      submit(std::move(tasks));
      return AsyncResult<R>(std::move(state));
    } else {
      return detail::RefusedMap{};  // The static_assert above said why; nothing more to add.
    }
  }

  /// `f` applied to every item, results in order (Python's `map`). The items travel in chunks of
  /// `chunksize` (default: ceil(n / (4 × workers)), as in Python); the first failing item's
  /// error is thrown.
  template <class F, class Range>
  auto map(F&& f, Range&& items, std::optional<std::size_t> chunksize = {}) {
    return map_async(std::forward<F>(f), std::forward<Range>(items), chunksize).take();
  }

  template <class F, class Range>
    requires(!is_task_options_v<std::decay_t<F>>)
  auto map_async(F&& f, Range&& items, std::optional<std::size_t> chunksize = {}) {
    return map_async(TaskOptions<>{}, std::forward<F>(f), std::forward<Range>(items), chunksize);
  }

  template <class CB, class ECB, class F, class Range>
  auto map_async(TaskOptions<CB, ECB> options, F&& f, Range&& items,
                 std::optional<std::size_t> chunksize = {}) {
    using Fn = detail::pool_fn_t<F>;
    using T = std::decay_t<std::ranges::range_value_t<Range>>;
    using R = std::decay_t<std::invoke_result_t<Fn&, T&>>;
    check_map_types<Fn, T, R>();
    if constexpr (std::is_void_v<R> || refused_task<R, T>()) {
      return detail::RefusedMap{};  // The static_assert above said why; nothing more to add.
    } else {
      return map_like<R>(options, &detail::run_map_chunk<Fn, T>,
                         detail::address_of_target<Fn>(Fn(std::forward<F>(f))),
                         to_vector<T>(std::forward<Range>(items)), chunksize);
    }
  }

  /// Like `map`, each item being a tuple of arguments (Python's `starmap`).
  template <class F, class Range>
  auto starmap(F&& f, Range&& items, std::optional<std::size_t> chunksize = {}) {
    return starmap_async(std::forward<F>(f), std::forward<Range>(items), chunksize).take();
  }

  template <class F, class Range>
    requires(!is_task_options_v<std::decay_t<F>>)
  auto starmap_async(F&& f, Range&& items, std::optional<std::size_t> chunksize = {}) {
    return starmap_async(TaskOptions<>{}, std::forward<F>(f), std::forward<Range>(items),
                         chunksize);
  }

  template <class CB, class ECB, class F, class Range>
  auto starmap_async(TaskOptions<CB, ECB> options, F&& f, Range&& items,
                     std::optional<std::size_t> chunksize = {}) {
    using Fn = detail::pool_fn_t<F>;
    using Tuple = std::decay_t<std::ranges::range_value_t<Range>>;
    using R = std::decay_t<decltype(std::apply(std::declval<Fn&>(), std::declval<Tuple&>()))>;
    check_map_types<Fn, Tuple, R>();
    if constexpr (std::is_void_v<R> || refused_task<R, Tuple>()) {
      return detail::RefusedMap{};
    } else {
      return map_like<R>(options, &detail::run_starmap_chunk<Fn, Tuple>,
                         detail::address_of_target<Fn>(Fn(std::forward<F>(f))),
                         to_vector<Tuple>(std::forward<Range>(items)), chunksize);
    }
  }

  /// Results in order as they become available (Python's `imap`; chunksize 1 by default).
  template <class F, class Range>
  auto imap(F&& f, Range&& items, std::size_t chunksize = 1) {
    return imap_like(true, std::forward<F>(f), std::forward<Range>(items), chunksize);
  }

  /// Results in the order they finish (Python's `imap_unordered`).
  template <class F, class Range>
  auto imap_unordered(F&& f, Range&& items, std::size_t chunksize = 1) {
    return imap_like(false, std::forward<F>(f), std::forward<Range>(items), chunksize);
  }

  /// No more tasks; the workers end once the queued ones are done.
  void close();
  /// Stops the workers at once; unfinished tasks fail with PoolTerminatedError.
  void terminate();
  /// Waits for the workers to end; `close()` or `terminate()` first (ValueError otherwise).
  void join();

  /// The number of workers.
  int processes() const;
  /// The pids of the workers running now (for tests and diagnostics).
  std::vector<int> worker_pids() const;
  /// The worker processes running now (Python's `pool._pool`): `pid()`, `name()`
  /// (`SpawnPoolWorker-3`, ...), `is_alive()`. A worker that ended and was replaced drops out.
  std::vector<Process> workers() const;

  /// `<Pool state=RUN pool_size=4>` (CLOSE, TERMINATE, BROKEN), as Python prints a pool.
  std::string repr() const;

 private:
  friend struct detail::PoolSubmitAccess;
  void submit(std::vector<detail::PoolTask> tasks);
  std::size_t worker_count() const;

  template <class R, class CB, class ECB>
  static void set_callbacks(detail::ApplyState<R>& state, TaskOptions<CB, ECB>& options) {
    if constexpr (!std::is_same_v<CB, detail::NoCallback>) state.callback = std::move(options.callback_fn);
    if constexpr (!std::is_same_v<ECB, detail::NoCallback>)
      state.error_callback = std::move(options.error_callback_fn);
  }
  template <class R, class CB, class ECB>
  static void set_callbacks(detail::MapState<R>& state, TaskOptions<CB, ECB>& options) {
    if constexpr (!std::is_same_v<CB, detail::NoCallback>) state.callback = std::move(options.callback_fn);
    if constexpr (!std::is_same_v<ECB, detail::NoCallback>)
      state.error_callback = std::move(options.error_callback_fn);
  }

  // Whether a check above refused the call's arguments or result (they cannot travel): then
  // nothing more is instantiated, so its message is the only error. (A map also refuses void.)
  template <class R, class Args>
  static constexpr bool refused_task() {
    if constexpr (std::is_void_v<R>)
      return !is_transferable_v<Args>;
    else
      return !is_transferable_v<Args> || !is_transferable_v<R>;
  }

  template <class Fn, class T, class R>
  static constexpr void check_map_types() {
    detail::check_pool_target<Fn>();
    static_assert(!std::is_void_v<R>,
                  "mproc::Pool::map needs a function that returns a value; use apply_async for "
                  "functions returning void");
    if constexpr (!std::is_void_v<R>) detail::check_pool_result<R>();
    static_assert(detail::transferable_or_explained<T>(),
                  "mproc::Pool: every item must be serializable (add a `serialize` member)");
  }

  template <class T, class Range>
  static std::vector<T> to_vector(Range&& items) {
    if constexpr (std::is_same_v<std::decay_t<Range>, std::vector<T>>) {
      return std::vector<T>(std::forward<Range>(items));
    } else {
      std::vector<T> out;
      for (auto&& item : items) out.push_back(T(item));
      return out;
    }
  }

  // Splits `items` into chunks, one task each.
  template <class T>
  std::vector<detail::PoolTask> chunk_tasks(detail::pool_trampoline trampoline,
                                            const void* target, const std::vector<T>& items,
                                            std::size_t chunksize,
                                            const std::shared_ptr<detail::TaskSink>& sink,
                                            double timeout) {
    std::vector<detail::PoolTask> tasks;
    for (std::size_t begin = 0, part = 0; begin < items.size(); begin += chunksize, ++part) {
      std::size_t end = std::min(items.size(), begin + chunksize);
      detail::PoolTask task;
      task.trampoline = trampoline;
      task.target = target;
      if (begin == 0 && end == items.size()) {
        task.args = wire::save(items);
      } else {
        task.args = wire::save(std::vector<T>(items.begin() + static_cast<std::ptrdiff_t>(begin),
                                              items.begin() + static_cast<std::ptrdiff_t>(end)));
      }
      task.sink = sink;
      task.part = part;
      task.timeout_seconds = timeout;
      tasks.push_back(std::move(task));
    }
    return tasks;
  }

  template <class R, class CB, class ECB, class T>
  AsyncResult<std::vector<R>> map_like(TaskOptions<CB, ECB>& options,
                                       detail::pool_trampoline trampoline, const void* target,
                                       std::vector<T> items, std::optional<std::size_t> chunksize) {
    std::size_t size = chunksize.value_or(detail::default_chunksize(items.size(), worker_count()));
    if (size == 0) throw ValueError("map: chunksize must be at least 1");
    auto state = std::make_shared<detail::MapState<R>>(items.size(), size);
    set_callbacks(*state, options);
    auto tasks = chunk_tasks(trampoline, target, items, size, state,
                             options.timeout_seconds.value_or(0));
    if (tasks.empty()) {
      check_running();
      state->finish_if_empty();
    } else {
      submit(std::move(tasks));
    }
    return AsyncResult<std::vector<R>>(std::move(state));
  }

  template <class F, class Range>
  auto imap_like(bool ordered, F&& f, Range&& items, std::size_t chunksize) {
    using Fn = detail::pool_fn_t<F>;
    using T = std::decay_t<std::ranges::range_value_t<Range>>;
    using R = std::decay_t<std::invoke_result_t<Fn&, T&>>;
    check_map_types<Fn, T, R>();
    if constexpr (std::is_void_v<R> || refused_task<R, T>()) {
      return detail::RefusedMap{};
    } else {
      return imap_of<R, Fn, T>(ordered, std::forward<F>(f), std::forward<Range>(items), chunksize);
    }
  }

  template <class R, class Fn, class T, class F, class Range>
  auto imap_of(bool ordered, F&& f, Range&& items, std::size_t chunksize) {
    if (chunksize == 0) throw ValueError("imap: chunksize must be at least 1");
    std::vector<T> values = to_vector<T>(std::forward<Range>(items));
    std::size_t chunks = (values.size() + chunksize - 1) / chunksize;
    auto state = std::make_shared<detail::IMapState<R>>(chunks, ordered);
    auto tasks = chunk_tasks(&detail::run_map_chunk<Fn, T>,
                             detail::address_of_target<Fn>(Fn(std::forward<F>(f))), values,
                             chunksize, state, 0);
    if (tasks.empty())
      check_running();
    else
      submit(std::move(tasks));
    return IMapIterator<R>(std::move(state));
  }

  void check_running() const;

  std::shared_ptr<detail::PoolCore> core_;
};

}  // namespace mproc
