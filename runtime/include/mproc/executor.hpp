#pragma once
// `mproc::ProcessPoolExecutor`: Python's `concurrent.futures.ProcessPoolExecutor`, on the same
// workers, dispatch and results as `mproc::Pool` (one pool core, see pool/pool_core.hpp).
//
// Beyond Python: a worker that dies fails only the task it ran (WorkerLostError, a
// BrokenProcessPool carrying its exit code) and is replaced; a running task can be cancelled
// (Cancel::request, Cancel::terminate) and given a timeout (`submit(mproc::task_timeout(s), ...)`)
// that really stops it.
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <stop_token>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mproc/async_result.hpp"
#include "mproc/detail/pool_task.hpp"
#include "mproc/detail/printable.hpp"
#include "mproc/future.hpp"
#include "mproc/pool.hpp"
#include "mproc/process.hpp"

namespace mproc {

/// Python's keyword arguments of `ProcessPoolExecutor(...)`.
struct ExecutorOptions {
  int max_workers = 0;                      ///< 0: `cpu_count()`
  std::string start_method;                 ///< Python's `mp_context`; empty: the default method
  PoolInitializer initializer;              ///< `mproc::initializer(f, args...)`, once per worker
  std::optional<int> max_tasks_per_child;   ///< replace a worker after this many tasks
  /// Seconds between asking a task to stop and terminating its worker, for Cancel::terminate
  /// and task_timeout (beyond Python).
  double cancel_grace = 1.0;
  /// Where the workers run (see PoolOptions::host); MPIPoolExecutor sets MPI ranks.
  std::shared_ptr<detail::WorkerHost> host;
};

/// Python's keyword arguments of `Executor.map(...)`.
struct MapOptions {
  std::optional<double> timeout;          ///< for all results, from the call to map
  std::size_t chunksize = 1;              ///< items per task
  std::optional<std::size_t> buffersize;  ///< at most this many tasks in flight (lazy input)
};

namespace detail {

/// The executor's state shared with its futures (so a Future can reach a running task).
class ExecutorCore;
std::shared_ptr<ExecutorCore> make_executor_core(ExecutorOptions options);
/// Hands tasks to the pool, each reporting to its FutureState (`task.sink`). Errors: the
/// executor was shut down (RuntimeError) or is broken (BrokenProcessPool).
void executor_submit(ExecutorCore& core, std::vector<PoolTask> tasks);
void executor_shutdown(ExecutorCore& core, bool wait, bool cancel_futures);
void executor_terminate(ExecutorCore& core, bool kill);
int executor_max_workers(const ExecutorCore& core);
double executor_grace(const ExecutorCore& core);
std::vector<Process> executor_workers(const ExecutorCore& core);
std::string executor_repr(const ExecutorCore& core);
void attach_future(const std::shared_ptr<ExecutorCore>& core, FutureState& state);

// A task whose first parameter is a std::stop_token gets its task's token.
template <class Fn, class... A>
void run_call_with_stop(const void* target, std::string_view args, std::string& result) {
  std::tuple<A...> values;
  wire::load(args, values);
  Fn fn = callable_at<Fn>(target);
  auto call = [&](A&... a) -> decltype(auto) { return fn(current_task_stop_token(), a...); };
  if constexpr (std::is_void_v<std::invoke_result_t<Fn&, std::stop_token, A&...>>)
    std::apply(call, values);
  else
    wire::save_into(result, std::apply(call, values));
}

template <class Fn, class... A>
constexpr bool takes_stop_token_v = std::is_invocable_v<Fn&, std::stop_token, A&...>;

template <class Fn, class... A>
struct executor_result {
  using type = std::invoke_result_t<Fn&, A&...>;
};
template <class Fn, class... A>
  requires takes_stop_token_v<Fn, A...>
struct executor_result<Fn, A...> {
  using type = std::invoke_result_t<Fn&, std::stop_token, A&...>;
};

template <class T>
struct is_map_options : std::false_type {};
template <>
struct is_map_options<MapOptions> : std::true_type {};

}  // namespace detail

/// The results of `ProcessPoolExecutor::map`, in order, as a range to iterate once (Python's
/// generator). Leaving it early cancels the tasks not yet started.
template <class R>
class MapResults {
 public:
  /// Fills `tasks` with the next chunk's task; false when the input is exhausted.
  using NextChunk = std::function<bool(std::vector<detail::PoolTask>& tasks,
                                       const std::shared_ptr<detail::FutureValue<std::vector<R>>>& state)>;

  MapResults(std::shared_ptr<detail::ExecutorCore> core, NextChunk next, MapOptions options)
      : core_(std::move(core)), next_(std::move(next)), options_(options) {
    if (options_.timeout)
      deadline_ = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(*options_.timeout));
    if (options_.buffersize && *options_.buffersize == 0)
      throw ValueError("ProcessPoolExecutor::map: buffersize must be at least 1");
    submit_more(options_.buffersize.value_or(static_cast<std::size_t>(-1)));
  }
  MapResults(MapResults&&) noexcept = default;
  MapResults& operator=(MapResults&&) noexcept = default;
  ~MapResults() {
    for (auto& f : in_flight_) {
      try {
        f.cancel();
      } catch (...) {
      }
    }
  }

  class iterator {
   public:
    using value_type = R;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    explicit iterator(MapResults* owner) : owner_(owner) { owner_->advance(); }
    typename std::vector<R>::reference operator*() const { return owner_->chunk_[owner_->position_]; }
    iterator& operator++() {
      owner_->advance();
      return *this;
    }
    void operator++(int) { owner_->advance(); }
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return it.finished(); }

   private:
    bool finished() const { return owner_->finished_; }
    MapResults* owner_ = nullptr;
  };

  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() { return {}; }

  /// The next result; nullopt at the end.
  std::optional<R> next() {
    advance();
    if (finished_) return std::nullopt;
    return std::move(chunk_[position_]);
  }

 private:
  void submit_more(std::size_t count) {
    std::vector<detail::PoolTask> tasks;
    for (std::size_t i = 0; i < count && !input_done_; ++i) {
      auto state = std::make_shared<detail::FutureValue<std::vector<R>>>();
      if (!next_(tasks, state)) {
        input_done_ = true;
        break;
      }
      detail::attach_future(core_, *state);
      in_flight_.emplace_back(state);
    }
    if (!tasks.empty()) detail::executor_submit(*core_, std::move(tasks));
  }

  void advance() {
    if (started_ && position_ + 1 < chunk_.size()) {
      ++position_;
      return;
    }
    started_ = true;
    for (;;) {
      if (in_flight_.empty()) {
        finished_ = true;
        chunk_.clear();
        return;
      }
      std::optional<double> left;
      if (deadline_)
        left = std::max(0.0, std::chrono::duration<double>(*deadline_ - std::chrono::steady_clock::now()).count());
      chunk_ = in_flight_.front().result(left);  // TimeoutError, or the first failing item's error
      in_flight_.pop_front();
      if (options_.buffersize) submit_more(1);
      position_ = 0;
      if (!chunk_.empty()) return;
    }
  }

  std::shared_ptr<detail::ExecutorCore> core_;
  NextChunk next_;
  MapOptions options_;
  std::optional<std::chrono::steady_clock::time_point> deadline_;
  std::deque<Future<std::vector<R>>> in_flight_;
  std::vector<R> chunk_;
  std::size_t position_ = 0;
  bool started_ = false;
  bool finished_ = false;
  bool input_done_ = false;
};

/// Runs tasks (plain functions or captureless lambdas, serializable arguments and results) in
/// worker processes, under every start method. Destroying it is leaving Python's `with` block:
/// `shutdown(wait=true)`.
class ProcessPoolExecutor {
 public:
  explicit ProcessPoolExecutor(ExecutorOptions options = {});
  explicit ProcessPoolExecutor(int max_workers) : ProcessPoolExecutor(ExecutorOptions{.max_workers = max_workers}) {}
  ProcessPoolExecutor(ProcessPoolExecutor&&) noexcept = default;
  ProcessPoolExecutor& operator=(ProcessPoolExecutor&&) noexcept;
  ProcessPoolExecutor(const ProcessPoolExecutor&) = delete;
  ProcessPoolExecutor& operator=(const ProcessPoolExecutor&) = delete;
  ~ProcessPoolExecutor();

  /// Runs `f(args...)` in a worker (`f(stop_token, args...)` if it takes a std::stop_token
  /// first: the token says the Future was cancelled or timed out).
  template <class F, class... Args>
    requires(!is_task_options_v<std::decay_t<F>>)
  auto submit(F&& f, Args&&... args) {
    return submit(TaskOptions<>{}, std::forward<F>(f), std::forward<Args>(args)...);
  }

  /// The same with a per-task timeout, `submit(mproc::task_timeout(s), f, args...)`: after `s`
  /// seconds of running the task is asked to stop, and its worker is terminated (and replaced)
  /// if it still runs after the executor's `cancel_grace`; the Future fails with TimeoutError.
  template <class CB, class ECB, class F, class... Args>
  auto submit(TaskOptions<CB, ECB> options, F&& f, Args&&... args) {
    static_assert(std::is_same_v<CB, detail::NoCallback> && std::is_same_v<ECB, detail::NoCallback>,
                  "ProcessPoolExecutor::submit takes a task_timeout; for callbacks use "
                  "future.add_done_callback(cb)");
    using Fn = detail::pool_fn_t<F>;
    constexpr bool with_stop = detail::takes_stop_token_v<Fn, std::decay_t<Args>...>;
    using R = typename detail::executor_result<Fn, std::decay_t<Args>...>::type;
    detail::check_pool_target<Fn>();
    detail::check_pool_result<R>();
    static_assert(detail::transferable_or_explained<std::tuple<std::decay_t<Args>...>>(),
                  "ProcessPoolExecutor: every argument must be serializable (add a `serialize` member)");
    auto state = std::make_shared<detail::FutureValue<R>>();
    detail::attach_future(core(), *state);
    detail::PoolTask task;
    if constexpr (with_stop)
      task.trampoline = &detail::run_call_with_stop<Fn, std::decay_t<Args>...>;
    else
      task.trampoline = &detail::run_call<Fn, std::decay_t<Args>...>;
    task.target = detail::address_of_target<Fn>(Fn(std::forward<F>(f)));
    task.args = wire::save(std::tuple<std::decay_t<Args>...>(std::forward<Args>(args)...));
    task.sink = state;
    task.timeout_seconds = options.timeout_seconds.value_or(0);
    task.grace_seconds = detail::executor_grace(*core_);
    std::vector<detail::PoolTask> tasks;
    tasks.push_back(std::move(task));
    detail::executor_submit(*core_, std::move(tasks));
    return Future<R>(std::move(state));
  }

  /// `f` over the items of `ranges...` (zipped, as Python's `map(fn, *iterables)`), results in
  /// order as a range: `for (int r : ex.map(f, items))`. The last argument may be MapOptions
  /// (`timeout`, `chunksize`, `buffersize`). Without a buffersize every task is submitted now,
  /// as in Python; with one, at most that many chunks are in flight and the input is read as
  /// results are taken, so an endless range works. A failing item throws its error when its
  /// result is reached.
  template <class F, class... Rest>
  auto map(F&& f, Rest&&... rest) {
    if constexpr (sizeof...(Rest) > 0 &&
                  detail::is_map_options<std::decay_t<last_t<Rest...>>>::value) {
      auto all = std::forward_as_tuple(std::forward<Rest>(rest)...);
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return map_ranges(std::get<sizeof...(Rest) - 1>(all), std::forward<F>(f),
                          std::get<I>(std::move(all))...);
      }(std::make_index_sequence<sizeof...(Rest) - 1>{});
    } else {
      return map_ranges(MapOptions{}, std::forward<F>(f), std::forward<Rest>(rest)...);
    }
  }

  /// No more tasks. With `wait`, returns once every submitted task finished and the workers
  /// exited; `cancel_futures` cancels the tasks that have not started (Python's `shutdown`).
  void shutdown(bool wait = true, bool cancel_futures = false);
  /// Python 3.14's `terminate_workers`/`kill_workers`: stops every worker at once (SIGTERM /
  /// SIGKILL; TerminateProcess on Windows) and shuts down; unfinished futures fail with
  /// PoolTerminatedError (a BrokenProcessPool).
  void terminate_workers();
  void kill_workers();

  int max_workers() const;
  /// The worker processes running now.
  std::vector<Process> workers() const;
  /// `<ProcessPoolExecutor max_workers=4 state=running>`.
  std::string repr() const;

 private:
  template <class... T>
  using last_t = std::tuple_element_t<sizeof...(T) - 1, std::tuple<T...>>;

  const std::shared_ptr<detail::ExecutorCore>& core() const;

  template <class F, class... Ranges>
  auto map_ranges(MapOptions options, F&& f, Ranges&&... ranges) {
    static_assert(sizeof...(Ranges) > 0, "ProcessPoolExecutor::map needs at least one range");
    if (options.chunksize == 0) throw ValueError("ProcessPoolExecutor::map: chunksize must be at least 1");
    using Fn = detail::pool_fn_t<F>;
    detail::check_pool_target<Fn>();
    using R = std::decay_t<std::invoke_result_t<Fn&, std::decay_t<std::ranges::range_reference_t<Ranges>>&...>>;
    static_assert(!std::is_void_v<R>,
                  "ProcessPoolExecutor::map needs a function that returns a value; use submit "
                  "for functions returning void");
    if constexpr (!std::is_void_v<R>) detail::check_pool_result<R>();
    const void* target = detail::address_of_target<Fn>(Fn(std::forward<F>(f)));
    // The input, owned (an rvalue range) or referred to (an lvalue), read chunk by chunk.
    auto views = std::make_shared<std::tuple<std::views::all_t<Ranges>...>>(
        std::views::all(std::forward<Ranges>(ranges))...);
    auto its = std::make_shared<std::tuple<std::ranges::iterator_t<std::views::all_t<Ranges>>...>>(
        std::apply([](auto&... v) { return std::make_tuple(std::ranges::begin(v)...); }, *views));
    std::size_t chunksize = options.chunksize;
    double grace = detail::executor_grace(*core());
    typename MapResults<R>::NextChunk next =
        [views, its, target, chunksize, grace](std::vector<detail::PoolTask>& tasks,
                                               const std::shared_ptr<detail::FutureValue<std::vector<R>>>& state) {
          detail::PoolTask task;
          if constexpr (sizeof...(Ranges) == 1) {
            using T = std::decay_t<std::ranges::range_reference_t<std::tuple_element_t<0, std::tuple<Ranges...>>>>;
            std::vector<T> items;
            auto& it = std::get<0>(*its);
            auto end = std::ranges::end(std::get<0>(*views));
            for (; items.size() < chunksize && it != end; ++it) items.push_back(T(*it));
            if (items.empty()) return false;
            task.trampoline = &detail::run_map_chunk<Fn, T>;
            task.args = wire::save(items);
          } else {
            using Tuple = std::tuple<std::decay_t<std::ranges::range_reference_t<Ranges>>...>;
            std::vector<Tuple> items;
            auto at_end = [&]<std::size_t... I>(std::index_sequence<I...>) {
              return ((std::get<I>(*its) == std::ranges::end(std::get<I>(*views))) || ...);
            };
            auto take = [&]<std::size_t... I>(std::index_sequence<I...>) {
              items.emplace_back(*std::get<I>(*its)...);
              (++std::get<I>(*its), ...);
            };
            constexpr auto seq = std::index_sequence_for<Ranges...>{};
            while (items.size() < chunksize && !at_end(seq)) take(seq);
            if (items.empty()) return false;
            task.trampoline = &detail::run_starmap_chunk<Fn, Tuple>;
            task.args = wire::save(items);
          }
          task.target = target;
          task.sink = state;
          task.grace_seconds = grace;
          tasks.push_back(std::move(task));
          return true;
        };
    return MapResults<R>(core(), std::move(next), options);
  }

  std::shared_ptr<detail::ExecutorCore> core_;
};

}  // namespace mproc
