#pragma once
// Python's `manager.Pool(n)`: a Pool that lives in a manager's server process, used through a
// proxy that any process may hold (pass it to a child as an argument):
//
//     auto manager = mproc::Manager();
//     auto pool = manager.Pool(4);
//     auto squares = pool.map(square, std::vector<int>{1, 2, 3});   // {1, 4, 9}
//     auto r = pool.apply_async(add, 2, 3);                         // r.get() == 5
//
// Tasks are what `mproc::Pool` takes (plain functions and captureless lambdas with serializable
// arguments and results), named by their address in the binary: the server must run the same
// program (a started manager does; a remote server built from another program does not).
#include <algorithm>
#include <cstddef>
#include <optional>
#include <ranges>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mproc/detail/manager_proxy_base.hpp"
#include "mproc/detail/pool_task.hpp"
#include "mproc/errors.hpp"

namespace mproc {

namespace detail {

/// A finished job as the server sends it: apply's one encoded result, or a map's chunks.
struct PoolJobResult {
  bool is_map = false;
  std::vector<std::string> parts;

  template <class A>
  void serialize(A& a) {
    a(is_map, parts);
  }
};

/// The arguments of a job request: the code located for the server, the encoded chunks.
std::vector<std::string> pool_job_request(pool_trampoline trampoline, const void* target,
                                          std::vector<std::string> chunks, bool is_map);

template <class T>
struct is_std_vector : std::false_type {};
template <class T>
struct is_std_vector<std::vector<T>> : std::true_type {};

template <class R>
R result_from_parts(PoolJobResult& job) {
  if constexpr (std::is_void_v<R>) {
    return;
  } else if constexpr (is_std_vector<R>::value) {
    if (!job.is_map) return decode<R>(job.parts.at(0));
    R all;
    for (const auto& part : job.parts) {
      R chunk = decode<R>(part);
      all.insert(all.end(), std::make_move_iterator(chunk.begin()),
                 std::make_move_iterator(chunk.end()));
    }
    return all;
  } else {
    return decode<R>(job.parts.at(0));
  }
}

template <class T>
std::vector<std::string> encode_chunks(const std::vector<T>& items, std::size_t chunksize) {
  std::vector<std::string> chunks;
  for (std::size_t begin = 0; begin < items.size(); begin += chunksize) {
    std::size_t end = std::min(items.size(), begin + chunksize);
    chunks.push_back(wire::save(std::vector<T>(items.begin() + static_cast<std::ptrdiff_t>(begin),
                                               items.begin() + static_cast<std::ptrdiff_t>(end))));
  }
  return chunks;
}

}  // namespace detail

/// A result of a manager's Pool (Python's `AsyncResult` proxy): the job lives on the server
/// until its last proxy goes.
template <class R>
class AsyncResultProxy : public detail::ProxyBase {
 public:
  AsyncResultProxy() = default;
  explicit AsyncResultProxy(std::shared_ptr<detail::ProxyState> state)
      : ProxyBase(std::move(state)) {}

  /// Waits for the result (TimeoutError after `timeout` seconds); the task's error is thrown
  /// here (RemoteError with its type, WorkerLostError, ...).
  R get(std::optional<double> timeout = std::nullopt) const {
    auto job = call_as<detail::PoolJobResult>("get", {detail::encode(timeout)});
    return detail::result_from_parts<R>(job);
  }
  /// Waits until the result is ready or `timeout` seconds passed.
  void wait(std::optional<double> timeout = std::nullopt) const {
    call("wait", {detail::encode(timeout)});
  }
  bool ready() const { return call_as<bool>("ready"); }
  /// Whether the task succeeded; ValueError before it is ready (as Python).
  bool successful() const { return call_as<bool>("successful"); }
};

/// A proxy to a Pool in a manager's server (`SyncManager::Pool`). Supported: `apply`,
/// `apply_async`, `map`, `map_async`, `starmap`, `starmap_async`, `imap`, `imap_unordered`
/// (these two return every result at once, in order), `close`, `terminate`, `join`,
/// `processes`. Not supported: callbacks and per-task timeouts (they would run in the server).
class PoolProxy : public detail::ProxyBase {
 public:
  PoolProxy() = default;
  explicit PoolProxy(std::shared_ptr<detail::ProxyState> state) : ProxyBase(std::move(state)) {}

  template <class F, class... Args>
  auto apply_async(F&& f, Args&&... args) const {
    using Fn = detail::pool_fn_t<F>;
    using R = std::invoke_result_t<Fn&, std::decay_t<Args>&...>;
    detail::check_pool_target<Fn>();
    detail::check_pool_result<R>();
    using Tuple = std::tuple<std::decay_t<Args>...>;
    static_assert(is_transferable_v<Tuple>,
                  "mproc::PoolProxy: every argument must be serializable (add a `serialize` "
                  "member)");
    std::vector<std::string> chunks{wire::save(Tuple(std::forward<Args>(args)...))};
    return submit<R>(&detail::run_call<Fn, std::decay_t<Args>...>,
                     detail::address_of_target<Fn>(Fn(std::forward<F>(f))), std::move(chunks),
                     false);
  }
  template <class F, class... Args>
  auto apply(F&& f, Args&&... args) const {
    return apply_async(std::forward<F>(f), std::forward<Args>(args)...).get();
  }

  template <class F, class Range>
  auto map_async(F&& f, Range&& items, std::optional<std::size_t> chunksize = {}) const {
    using Fn = detail::pool_fn_t<F>;
    using T = std::decay_t<std::ranges::range_value_t<Range>>;
    using R = std::decay_t<std::invoke_result_t<Fn&, T&>>;
    check_map<Fn, T, R>();
    return submit_map<R>(&detail::run_map_chunk<Fn, T>,
                         detail::address_of_target<Fn>(Fn(std::forward<F>(f))),
                         std::vector<T>(std::ranges::begin(items), std::ranges::end(items)),
                         chunksize);
  }
  template <class F, class Range>
  auto map(F&& f, Range&& items, std::optional<std::size_t> chunksize = {}) const {
    return map_async(std::forward<F>(f), std::forward<Range>(items), chunksize).get();
  }
  /// Every result at once, in order (a manager's pool sends a job's results together).
  template <class F, class Range>
  auto imap(F&& f, Range&& items, std::size_t chunksize = 1) const {
    return map(std::forward<F>(f), std::forward<Range>(items), chunksize);
  }
  template <class F, class Range>
  auto imap_unordered(F&& f, Range&& items, std::size_t chunksize = 1) const {
    return map(std::forward<F>(f), std::forward<Range>(items), chunksize);
  }

  /// `f(*args)` for every tuple of arguments in `items`.
  template <class F, class Range>
  auto starmap_async(F&& f, Range&& items, std::optional<std::size_t> chunksize = {}) const {
    using Fn = detail::pool_fn_t<F>;
    using Tuple = std::decay_t<std::ranges::range_value_t<Range>>;
    using R = std::decay_t<decltype(std::apply(std::declval<Fn&>(), std::declval<Tuple&>()))>;
    check_map<Fn, Tuple, R>();
    return submit_map<R>(&detail::run_starmap_chunk<Fn, Tuple>,
                         detail::address_of_target<Fn>(Fn(std::forward<F>(f))),
                         std::vector<Tuple>(std::ranges::begin(items), std::ranges::end(items)),
                         chunksize);
  }
  template <class F, class Range>
  auto starmap(F&& f, Range&& items, std::optional<std::size_t> chunksize = {}) const {
    return starmap_async(std::forward<F>(f), std::forward<Range>(items), chunksize).get();
  }

  /// No more tasks; the workers end once the queued ones are done.
  void close() const { call("close"); }
  /// Stops the workers at once; unfinished tasks fail with PoolTerminatedError.
  void terminate() const { call("terminate"); }
  /// Waits for the workers to end; `close()` or `terminate()` first (ValueError otherwise).
  void join() const { call("join"); }
  /// The number of workers.
  int processes() const { return call_as<int>("processes"); }

 private:
  template <class R>
  AsyncResultProxy<R> submit(detail::pool_trampoline trampoline, const void* target,
                             std::vector<std::string> chunks, bool is_map) const {
    const char* method = is_map ? "map_async" : "apply_async";
    return proxy_from_reply<AsyncResultProxy<R>>(
        call(method, detail::pool_job_request(trampoline, target, std::move(chunks), is_map)));
  }

  // A map's items travel in chunks, each a task whose result is a vector of R.
  template <class R, class T>
  AsyncResultProxy<std::vector<R>> submit_map(detail::pool_trampoline trampoline,
                                              const void* target, const std::vector<T>& values,
                                              std::optional<std::size_t> chunksize) const {
    std::size_t size = chunk_size(values.size(), chunksize);
    return submit<std::vector<R>>(trampoline, target, detail::encode_chunks(values, size), true);
  }

  template <class Fn, class T, class R>
  static constexpr void check_map() {
    detail::check_pool_target<Fn>();
    static_assert(!std::is_void_v<R>,
                  "mproc::PoolProxy::map needs a function that returns a value; use apply_async "
                  "for functions returning void");
    if constexpr (!std::is_void_v<R>) detail::check_pool_result<R>();
    static_assert(is_transferable_v<T>,
                  "mproc::PoolProxy: every item must be serializable (add a `serialize` member)");
  }

  std::size_t chunk_size(std::size_t items, std::optional<std::size_t> asked) const {
    if (asked && *asked == 0) throw ValueError("map: chunksize must be at least 1");
    if (asked) return *asked;
    return detail::default_chunksize(items, static_cast<std::size_t>(processes()));
  }
};

}  // namespace mproc
