#pragma once
// Python's `multiprocessing.managers`: a server process holds objects, other processes use them
// through proxies. `mproc::Manager()` starts one and returns a SyncManager:
//
//     auto manager = mproc::Manager();
//     auto d = manager.dict<std::string, int>();
//     mproc::Process p(worker, d);   // the child writes d["num"] = 1
//
// `BaseManager` serves types of your own (`register_type`), can listen on TCP with an authkey
// for processes on other machines (`connect`), and can serve in the current process
// (`get_server().serve_forever()`).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mproc/detail/managed_type.hpp"
#include "mproc/listener.hpp"
#include "mproc/manager_pool.hpp"
#include "mproc/manager_proxies.hpp"
#include "mproc/typed_proxy.hpp"

namespace mproc {

namespace detail {
struct ManagerState;
struct ServerState;

template <class F>
struct callable_signature : callable_signature<decltype(&F::operator())> {};
template <class R, class... A>
struct callable_signature<R (*)(A...)> {
  using result = R;
  using args = std::tuple<std::decay_t<A>...>;
};
template <class R, class... A>
struct callable_signature<R(A...)> : callable_signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_signature<R (C::*)(A...) const> : callable_signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct callable_signature<R (C::*)(A...)> : callable_signature<R (*)(A...)> {};

template <class R>
struct made_type {
  using type = std::decay_t<R>;
};
template <class T>
struct made_type<std::shared_ptr<T>> {
  using type = T;
};

template <class T, class F, class... A>
ManagedType managed_type_from(std::string type_id, F factory, std::vector<ManagedMethod> methods,
                              std::tuple<A...>*) {
  return managed_type<T, A...>(std::move(type_id), std::move(factory), std::move(methods));
}
}  // namespace detail

/// `get_server()`'s result: serves the manager's objects in the calling process.
class ManagerServer {
 public:
  /// Where clients connect (with the real port when port 0 was asked for).
  const Address& address() const;
  /// Serves until a client asks the manager to shut down, then ends the process (as Python's
  /// `serve_forever` does, so no server thread outlives it).
  [[noreturn]] void serve_forever();

 private:
  friend class BaseManager;
  explicit ManagerServer(std::shared_ptr<detail::ServerState> state) : state_(std::move(state)) {}
  std::shared_ptr<detail::ServerState> state_;
};

/// Python's `BaseManager`. Copies refer to the same manager; the last copy of a manager that
/// `start()` started shuts its server down.
class BaseManager {
 public:
  /// A manager at a fresh local address (an AF_UNIX socket on POSIX, a named pipe on Windows)
  /// with a random authkey.
  BaseManager();
  /// A manager at `address` ("host:port" or Address(host, port) for TCP) with `authkey` (a
  /// random one if none is given; clients on other machines need the same key).
  explicit BaseManager(std::optional<Address> address, std::optional<std::string> authkey = {},
                       std::string start_method = {});
  virtual ~BaseManager();
  BaseManager(const BaseManager&) = default;
  BaseManager& operator=(const BaseManager&) = default;
  BaseManager(BaseManager&&) noexcept = default;
  BaseManager& operator=(BaseManager&&) noexcept = default;

  /// Serves objects of a type of your own under `type_id`: `factory(args...)` makes one (it
  /// returns the object, or a std::shared_ptr to it, so a factory may hand out one shared
  /// object), and `methods` (`mproc::exposed<&T::f>("f")`) are what proxies may call. Must be
  /// called before `start()` / `get_server()`.
  template <class F, class... Methods>
  void register_type(std::string type_id, F factory, Methods... methods) {
    using Signature = detail::callable_signature<std::decay_t<F>>;
    using T = typename detail::made_type<typename Signature::result>::type;
    add_type(detail::managed_type_from<T>(std::move(type_id), std::move(factory),
                                          {std::move(methods)...},
                                          static_cast<typename Signature::args*>(nullptr)));
  }
  /// Serves one shared object of a builtin kind ("Queue", "dict", "list", "Namespace", "Lock",
  /// "Event", ...) under `type_id`: every `create(type_id)` gets a proxy to that same object
  /// (Python's `register('get_queue', callable=lambda: queue)`).
  void register_shared(std::string type_id, std::string kind);

  /// Starts the server process (a daemonic child: it dies with this process, even on kill -9).
  void start();
  /// Uses a manager already served at `address()` (started elsewhere); AuthenticationError
  /// when the authkey is wrong.
  void connect();
  /// Stops a server started by `start()` and waits for it. Idempotent. Proxies used afterwards
  /// throw EOFError.
  void shutdown();
  /// A server for this manager's address, run in this process by `serve_forever()`.
  ManagerServer get_server();

  const Address& address() const;
  const std::string& authkey() const;
  /// The server process's pid, when `start()` started one.
  std::optional<int> pid() const;
  /// How many objects the server holds (Python's `_number_of_objects`), to check for leaks.
  std::size_t number_of_objects() const;

  /// A new object of a registered `type_id` made with `args` (Python's `manager.TypeId(args)`),
  /// or the shared object registered with `register_shared`. `P` is the proxy type:
  /// `Proxy<T>` (or just `T`) for a registered type T, a class made by MPROC_PROXY, `Proxy<>`
  /// to call by name only, `QueueProxy<T>` etc. for builtin kinds.
  template <class P = Proxy<>, class... A>
  auto create(const std::string& type_id, const A&... args) const {
    using Made = std::conditional_t<std::is_base_of_v<detail::ProxyBase, P>, P, Proxy<P>>;
    std::vector<std::string> encoded;
    if constexpr (sizeof...(A) > 0) {
      using Args = std::tuple<std::decay_t<A>...>;
      encoded = {detail::type_name_of<Args>(), wire::save(Args(args...))};
    }
    return Made(create_object(type_id, std::move(encoded)));
  }

 protected:
  std::shared_ptr<detail::ProxyState> create_object(const std::string& type_id,
                                                    std::vector<std::string> args) const;

 private:
  void add_type(detail::ManagedType type);
  detail::ManagerState& state() const;
  std::shared_ptr<detail::ManagerState> state_;
};

/// Python's `SyncManager`: the builtin kinds, each a call that makes a new object on the server.
class SyncManager : public BaseManager {
 public:
  using BaseManager::BaseManager;

  template <class K, class V>
  DictProxy<K, V> dict() const {
    return DictProxy<K, V>(create_object("dict", {}));
  }
  /// `manager.dict(pairs)`: starts with these (key, value) pairs.
  template <class K, class V, class Range>
  DictProxy<K, V> dict(const Range& pairs) const {
    std::vector<std::string> args;
    for (const auto& [key, value] : pairs) {
      args.push_back(detail::encode(K(key)));
      args.push_back(detail::encode(V(value)));
    }
    return DictProxy<K, V>(create_object("dict", std::move(args)));
  }
  template <class T>
  ListProxy<T> list() const {
    return ListProxy<T>(create_object("list", {}));
  }
  /// `manager.list(values)`: starts with these values (any range).
  template <class T, class Range>
  ListProxy<T> list(const Range& values) const {
    return ListProxy<T>(create_object("list", encode_all<T>(values)));
  }
  NamespaceProxy Namespace() const { return NamespaceProxy(create_object("Namespace", {})); }
  template <class T>
  ValueProxy<T> Value(const T& value = T{}) const {
    return ValueProxy<T>(create_object("Value", {detail::encode(value)}));
  }
  /// `manager.Array(typecode, size)`: `size` zero-initialized elements.
  template <class T>
  ArrayProxy<T> Array(std::size_t size) const {
    return ArrayProxy<T>(create_object("Array", std::vector<std::string>(size, detail::encode(T{}))));
  }
  /// `manager.Array(typecode, sequence)`
  template <class T, class Range, class = decltype(std::begin(std::declval<const Range&>()))>
  ArrayProxy<T> Array(const Range& values) const {
    return ArrayProxy<T>(create_object("Array", encode_all<T>(values)));
  }
  template <class T>
  QueueProxy<T> Queue(std::int64_t maxsize = 0) const {
    return QueueProxy<T>(create_object("Queue", {detail::encode(maxsize)}));
  }
  template <class T>
  QueueProxy<T> JoinableQueue(std::int64_t maxsize = 0) const {
    return Queue<T>(maxsize);
  }
  AcquirerProxy Lock() const { return AcquirerProxy(create_object("Lock", {})); }
  AcquirerProxy RLock() const { return AcquirerProxy(create_object("RLock", {})); }
  AcquirerProxy Semaphore(int value = 1) const {
    return AcquirerProxy(create_object("Semaphore", {detail::encode(value)}));
  }
  AcquirerProxy BoundedSemaphore(int value = 1) const {
    return AcquirerProxy(create_object("BoundedSemaphore", {detail::encode(value)}));
  }
  EventProxy Event() const { return EventProxy(create_object("Event", {})); }
  /// `manager.Condition(lock=None)`: `lock` must be a Lock or RLock of this manager.
  ConditionProxy Condition(std::optional<AcquirerProxy> lock = std::nullopt) const;
  BarrierProxy Barrier(int parties, std::optional<double> timeout = std::nullopt) const {
    return BarrierProxy(create_object("Barrier", {detail::encode(parties), detail::encode(timeout)}));
  }
  /// `manager.Pool(processes)`: a Pool living in the server process (0 workers: `cpu_count()`
  /// there), its workers started with this manager's start method. See PoolProxy.
  PoolProxy Pool(int processes = 0) const;

 private:
  template <class T, class Range>
  static std::vector<std::string> encode_all(const Range& values) {
    std::vector<std::string> out;
    for (const auto& value : values) out.push_back(detail::encode(T(value)));
    return out;
  }
};

/// Python's `multiprocessing.Manager()`: a started SyncManager (server process under the
/// default start method, or `start_method`).
SyncManager Manager(std::string start_method = {});

}  // namespace mproc
