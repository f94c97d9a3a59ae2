#pragma once
// How a pool call becomes something a worker can run. Workers exist before the tasks do, so a
// task cannot carry a closure under any start method: it names a typed trampoline and the
// target function by address (module-relative on the wire, see platform/module_address.hpp),
// and carries its arguments serialized. The trampoline, instantiated for exactly these types,
// decodes the arguments, calls the target and serializes what it returned.
#include <cstddef>
#include <exception>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mproc/detail/task.hpp"
#include "mproc/serialization.hpp"

namespace mproc::detail {

/// Runs one task in a worker: decodes `args`, calls the target, appends the encoded result.
using pool_trampoline = void (*)(const void* target, std::string_view args, std::string& result);

/// Where the outcomes of one submission go, part by part (a map is one part per chunk). Called
/// on the pool's handler thread only, so never concurrently.
class TaskSink {
 public:
  virtual ~TaskSink() = default;
  /// A part succeeded; `payload` is what its trampoline encoded.
  virtual void deliver(std::size_t part, std::string_view payload) = 0;
  /// A part failed: the target threw (`decode_exception`'s result), its worker died (WorkerLostError), it ran
  /// out of time (TimeoutError), or the pool stopped (PoolTerminatedError, BrokenPoolError).
  virtual void fail(std::size_t part, std::exception_ptr error) = 0;
  /// The part is about to go to a worker; false drops it unrun (an executor's Future that was
  /// cancelled while it waited: Python's `set_running_or_notify_cancel`).
  virtual bool start(std::size_t part) {
    (void)part;
    return true;
  }
};

/// In a task that an executor's worker runs: the token that says its Future was cancelled
/// with Cancel::request or Cancel::terminate, or its task_timeout passed. A token that never
/// stops elsewhere.
std::stop_token current_task_stop_token();

/// One unit of work for a worker.
struct PoolTask {
  pool_trampoline trampoline = nullptr;
  const void* target = nullptr;  ///< the function's address; null for a captureless lambda
  std::string args;
  std::shared_ptr<TaskSink> sink;
  std::size_t part = 0;
  double timeout_seconds = 0;  ///< > 0: fail with TimeoutError and replace the worker after it
  /// With a timeout: first ask the task to stop (current_task_stop_token), and kill its worker
  /// only if it still runs this long after; 0 kills at once.
  double grace_seconds = 0;
};

template <class Fn>
Fn callable_at(const void* target) {
  if constexpr (is_function_target_v<Fn>)
    return reinterpret_cast<Fn>(const_cast<void*>(target));
  else
    return Fn{};
}

template <class Fn>
const void* address_of_target(const Fn& fn) {
  if constexpr (is_function_target_v<Fn>)
    return reinterpret_cast<const void*>(fn);
  else
    return nullptr;
}

/// The target's type as the pool stores it: functions decay to pointers.
template <class F>
using pool_fn_t = std::conditional_t<std::is_function_v<std::remove_reference_t<F>>,
                                     std::add_pointer_t<std::remove_reference_t<F>>,
                                     std::decay_t<F>>;

template <class Fn>
constexpr void check_pool_target() {
  static_assert(is_function_target_v<Fn> || is_stateless_target_v<Fn>,
                "mproc::Pool: the task must be a plain function or a captureless lambda (the "
                "workers already run, so a closure cannot reach them); pass the data as "
                "arguments");
}

template <class R>
constexpr void check_pool_result() {
  static_assert(std::is_void_v<R> || transferable_or_explained<R>(),
                "mproc::Pool: the task's result type must be serializable (add a `serialize` "
                "member to your type)");
}

// apply: one call with a tuple of arguments.
template <class Fn, class... A>
void run_call(const void* target, std::string_view args, std::string& result) {
  std::tuple<A...> values;
  wire::load(args, values);
  using R = std::invoke_result_t<Fn&, A&...>;
  Fn fn = callable_at<Fn>(target);
  if constexpr (std::is_void_v<R>) {
    std::apply(fn, values);
  } else {
    wire::save_into(result, std::apply(fn, values));
  }
}

// map: one call per element of a chunk; the results come back as a vector.
template <class Fn, class T>
void run_map_chunk(const void* target, std::string_view args, std::string& result) {
  std::vector<T> items;
  wire::load(args, items);
  using R = std::decay_t<std::invoke_result_t<Fn&, T&>>;
  Fn fn = callable_at<Fn>(target);
  // Kept between chunks: fresh pages for every chunk's results cost more than the calls.
  thread_local std::vector<R> out;
  out.clear();
  out.reserve(items.size());
  for (T& item : items) out.push_back(fn(item));
  wire::save_into(result, out);
  if (out.capacity() > (std::size_t{64} << 20) / sizeof(R)) out = {};  // do not hoard huge ones
}

// starmap: each element is a tuple of arguments.
template <class Fn, class Tuple>
void run_starmap_chunk(const void* target, std::string_view args, std::string& result) {
  std::vector<Tuple> items;
  wire::load(args, items);
  using R = std::decay_t<decltype(std::apply(std::declval<Fn&>(), std::declval<Tuple&>()))>;
  Fn fn = callable_at<Fn>(target);
  std::vector<R> out;
  out.reserve(items.size());
  for (Tuple& item : items) out.push_back(std::apply(fn, item));
  wire::save_into(result, out);
}

/// Python's default map chunksize: ceil(n / (4 × workers)), at least 1.
inline std::size_t default_chunksize(std::size_t items, std::size_t workers) {
  std::size_t per = 4 * (workers == 0 ? 1 : workers);
  std::size_t size = (items + per - 1) / per;
  return size == 0 ? 1 : size;
}

}  // namespace mproc::detail
