#pragma once
// The proxies a SyncManager hands out (Python's DictProxy, ListProxy, ...). Every call is one
// round trip to the manager's server and is atomic there, as in Python. Proxies pass to child
// processes as Process or Pool arguments under every start method; a default-constructed proxy
// is bound to nothing and every call on it throws ValueError.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mproc/detail/block_argument.hpp"
#include "mproc/detail/manager_proxy_base.hpp"
#include "mproc/detail/wait_for_predicate.hpp"
#include "mproc/errors.hpp"
#include "mproc/repr.hpp"

namespace mproc {

class BaseManager;

namespace detail {
inline std::string encode_timeout(std::optional<double> timeout) { return encode(timeout); }

// How a Namespace prints values the server holds only as bytes: each type read or written
// through a NamespaceProxy in this process registers how to print itself, by its type name.
using blob_printer = std::string (*)(const std::string& blob);
void register_blob_printer(const std::string& type, blob_printer printer);
std::string print_blob(const std::string& type, const std::string& blob);
template <class T>
void register_blob_printer_once() {
  if constexpr (requires(const T& v) { mproc::repr(v); }) {
    static const bool registered = [] {
      register_blob_printer(type_name_of<T>(), [](const std::string& blob) { return mproc::repr(decode<T>(blob)); });
      return true;
    }();
    (void)registered;
  }
}

/// Python's array typecode of T for `Value('i', 5)`; other types print their own name.
template <class T>
std::string typecode_repr() {
  if constexpr (std::is_same_v<T, bool>) return "'?'";
  else if constexpr (std::is_same_v<T, char>) return "'c'";
  else if constexpr (std::is_same_v<T, short>) return "'h'";
  else if constexpr (std::is_same_v<T, int>) return "'i'";
  else if constexpr (std::is_same_v<T, unsigned>) return "'I'";
  else if constexpr (std::is_same_v<T, long>) return "'l'";
  else if constexpr (std::is_same_v<T, unsigned long>) return "'L'";
  else if constexpr (std::is_same_v<T, long long>) return "'q'";
  else if constexpr (std::is_same_v<T, unsigned long long>) return "'Q'";
  else if constexpr (std::is_same_v<T, float>) return "'f'";
  else if constexpr (std::is_same_v<T, double>) return "'d'";
  else return mproc::repr(type_name_of<T>());
}

// `proxy[key]` as something to assign to or read from, so `d["num"] = 1` reads as in Python.
template <class Proxy, class Key, class Value>
class ItemRef {
 public:
  ItemRef(const Proxy& proxy, Key key) : proxy_(proxy), key_(std::move(key)) {}
  ItemRef& operator=(const Value& value) {
    proxy_.set(key_, value);
    return *this;
  }
  operator Value() const { return proxy_.at(key_); }  // NOLINT: reads like Python's d[k]
  Value get() const { return proxy_.at(key_); }

 private:
  const Proxy& proxy_;
  Key key_;
};
}  // namespace detail

/// A dict held by the manager (Python's `DictProxy`). Keys are compared by their serialized
/// bytes, which for the usual key types (integers, strings, tuples, variants) is equality.
/// Iteration order is insertion order, as in Python.
template <class K, class V>
class DictProxy : public detail::ProxyBase {
 public:
  DictProxy() = default;

  detail::ItemRef<DictProxy, K, V> operator[](const K& key) const { return {*this, key}; }
  /// `d[key] = value`
  void set(const K& key, const V& value) const {
    call("__setitem__", {detail::encode(key), detail::encode(value)});
  }
  /// `d[key]`; KeyError when absent.
  V at(const K& key) const { return detail::decode<V>(call("__getitem__", {detail::encode(key)})); }
  /// `d.get(key)`: empty when absent.
  std::optional<V> get(const K& key) const {
    auto blob = call_as<std::optional<std::string>>("get", {detail::encode(key)});
    if (!blob) return std::nullopt;
    return detail::decode<V>(*blob);
  }
  /// `d.get(key, default)`
  V get(const K& key, const V& fallback) const { return get(key).value_or(fallback); }
  bool contains(const K& key) const { return call_as<bool>("__contains__", {detail::encode(key)}); }
  /// `del d[key]`; KeyError when absent.
  void erase(const K& key) const { call("__delitem__", {detail::encode(key)}); }
  std::size_t size() const { return call_as<std::uint64_t>("__len__"); }
  std::size_t len() const { return size(); }
  bool empty() const { return size() == 0; }
  void clear() const { call("clear"); }
  /// `d.items()` in insertion order.
  std::vector<std::pair<K, V>> items() const {
    auto blobs = call_as<std::vector<std::string>>("items");
    std::vector<std::pair<K, V>> out;
    out.reserve(blobs.size() / 2);
    for (std::size_t i = 0; i + 1 < blobs.size(); i += 2)
      out.emplace_back(detail::decode<K>(blobs[i]), detail::decode<V>(blobs[i + 1]));
    return out;
  }
  /// `dict(d)`: a snapshot, in insertion order.
  std::vector<std::pair<K, V>> copy() const { return items(); }
  std::vector<K> keys() const { return detail::decode_all<K>(call("keys")); }
  std::vector<V> values() const { return detail::decode_all<V>(call("values")); }
  /// `d.pop(key)`; KeyError when absent.
  V pop(const K& key) const { return detail::decode<V>(call("pop", {detail::encode(key)})); }
  /// `d.pop(key, default)`
  V pop(const K& key, const V& fallback) const {
    auto blob = call_as<std::optional<std::string>>("pop_or_none", {detail::encode(key)});
    return blob ? detail::decode<V>(*blob) : fallback;
  }
  /// `d.popitem()`: the last inserted pair; KeyError when empty.
  std::pair<K, V> popitem() const {
    auto blobs = call_as<std::vector<std::string>>("popitem");
    return {detail::decode<K>(blobs.at(0)), detail::decode<V>(blobs.at(1))};
  }
  /// `d.setdefault(key, value)`: the value held, after inserting `value` if there was none.
  V setdefault(const K& key, const V& value) const {
    return detail::decode<V>(call("setdefault", {detail::encode(key), detail::encode(value)}));
  }
  /// `d.update(pairs)`: any range of (key, value) pairs, applied in one atomic call.
  template <class Range>
  void update(const Range& pairs) const {
    std::vector<std::string> args;
    for (const auto& [key, value] : pairs) {
      args.push_back(detail::encode(K(key)));
      args.push_back(detail::encode(V(value)));
    }
    call("update", std::move(args));
  }

  /// The dict's contents, as Python's `print(d)` shows them: `{1: '1', 2: 4}`.
  std::string repr() const { return bound() ? detail::repr_mapping(items()) : "<DictProxy (unbound)>"; }

  /// Bound to an object on a server (see BaseManager::create).
  using ProxyBase::ProxyBase;
};

namespace detail {
/// What list and Array proxies share: indexing (negative indexes count from the end, as in
/// Python), `len` and slices.
template <class T, class Derived>
class SequenceProxy : public ProxyBase {
 public:
  using ProxyBase::ProxyBase;

  ItemRef<Derived, std::int64_t, T> operator[](std::int64_t index) const {
    return {static_cast<const Derived&>(*this), index};
  }
  /// `l[index]`; IndexError when out of range.
  T at(std::int64_t index) const { return decode<T>(call("__getitem__", {encode(index)})); }
  /// `l[index] = value`
  void set(std::int64_t index, const T& value) const {
    call("__setitem__", {encode(index), encode(value)});
  }
  std::size_t size() const { return call_as<std::uint64_t>("__len__"); }
  std::size_t len() const { return size(); }
  bool empty() const { return size() == 0; }
  /// `l[start:stop]` with Python's slice rules (negative and out-of-range bounds allowed).
  std::vector<T> slice(std::optional<std::int64_t> start, std::optional<std::int64_t> stop) const {
    return decode_all<T>(call("__getslice__", {encode(start), encode(stop)}));
  }
  /// `l[:]`, `list(l)`: a snapshot.
  std::vector<T> tolist() const { return slice(std::nullopt, std::nullopt); }

  /// The contents, as Python's `print(l)` shows them: `[0, 1, 4]`.
  std::string repr() const { return this->bound() ? mproc::repr(tolist()) : "<ListProxy (unbound)>"; }
};
}  // namespace detail

/// A list held by the manager (Python's `ListProxy`).
template <class T>
class ListProxy : public detail::SequenceProxy<T, ListProxy<T>> {
  using Base = detail::SequenceProxy<T, ListProxy<T>>;

 public:
  ListProxy() = default;
  /// Bound to an object on a server (see BaseManager::create).
  using Base::Base;

  /// `del l[index]`
  void erase(std::int64_t index) const { this->call("__delitem__", {detail::encode(index)}); }
  void append(const T& value) const { this->call("append", {detail::encode(value)}); }
  /// `l.extend(values)`: any range, in one atomic call.
  template <class Range>
  void extend(const Range& values) const {
    std::vector<std::string> args;
    for (const auto& value : values) args.push_back(detail::encode(T(value)));
    this->call("extend", std::move(args));
  }
  void insert(std::int64_t index, const T& value) const {
    this->call("insert", {detail::encode(index), detail::encode(value)});
  }
  /// `l.pop(index=-1)`; IndexError when empty or out of range.
  T pop(std::int64_t index = -1) const {
    return detail::decode<T>(this->call("pop", {detail::encode(index)}));
  }
  /// Removes the first equal element; ValueError when there is none.
  void remove(const T& value) const { this->call("remove", {detail::encode(value)}); }
  /// The first equal element's index; ValueError when there is none.
  std::size_t index(const T& value) const {
    return this->template call_as<std::uint64_t>("index", {detail::encode(value)});
  }
  std::size_t count(const T& value) const {
    return this->template call_as<std::uint64_t>("count", {detail::encode(value)});
  }
  bool contains(const T& value) const {
    return this->template call_as<bool>("__contains__", {detail::encode(value)});
  }
  void reverse() const { this->call("reverse"); }
  void clear() const { this->call("clear"); }
};

/// Python's manager `Array(typecode, sequence)`: a fixed-size sequence.
template <class T>
class ArrayProxy : public detail::SequenceProxy<T, ArrayProxy<T>> {
 public:
  ArrayProxy() = default;
  /// Bound to an object on a server (see BaseManager::create).
  using detail::SequenceProxy<T, ArrayProxy<T>>::SequenceProxy;
};

/// Python's `Namespace`: named attributes of any transferable type. Reading one as another type
/// than it was stored with is a SerializationError.
class NamespaceProxy : public detail::ProxyBase {
 public:
  NamespaceProxy() = default;

  /// `ns.name = value`
  template <class T>
  void set(const std::string& name, const T& value) const {
    detail::register_blob_printer_once<T>();
    call("__setattr__", {detail::encode(name), detail::type_name_of<T>(), detail::encode(value)});
  }
  /// `ns.name`; AttributeError when it was never set.
  template <class T>
  T get(const std::string& name) const {
    detail::register_blob_printer_once<T>();
    return detail::decode<T>(
        call("__getattr__", {detail::encode(name), detail::type_name_of<T>()}));
  }
  bool has(const std::string& name) const {
    return call_as<bool>("__contains__", {detail::encode(name)});
  }
  /// `del ns.name`; AttributeError when it was never set.
  void erase(const std::string& name) const { call("__delattr__", {detail::encode(name)}); }
  /// The attribute names, sorted (as `vars(ns)` prints them).
  std::vector<std::string> names() const { return call_as<std::vector<std::string>>("names"); }

  /// `Namespace(x=1, y='a')`, as Python prints it. A value of a type this process never read
  /// or wrote through a NamespaceProxy (nor a common one: numbers, strings) shows as `<type>`.
  std::string repr() const;

  /// Bound to an object on a server (see BaseManager::create).
  using ProxyBase::ProxyBase;
};

/// Python's manager `Value(typecode, value)`: `value()` / `set_value()` (also `get`/`set`).
template <class T>
class ValueProxy : public detail::ProxyBase {
 public:
  ValueProxy() = default;
  T value() const { return detail::decode<T>(call("get")); }
  void set_value(const T& value) const { call("set", {detail::encode(value)}); }
  T get() const { return value(); }
  void set(const T& value) const { set_value(value); }

  /// `Value('i', 5)`, as Python prints a manager's Value.
  std::string repr() const {
    if (!bound()) return "<ValueProxy (unbound)>";
    std::string shown;
    if constexpr (requires(const T& v) { mproc::repr(v); }) shown = mproc::repr(value());
    else shown = "...";
    return "Value(" + detail::typecode_repr<T>() + ", " + shown + ")";
  }

  /// Bound to an object on a server (see BaseManager::create).
  using ProxyBase::ProxyBase;
};

/// A queue held by the manager (Python's `queue.Queue` behind a proxy, with `task_done` and
/// `join`). `get` with a timeout throws Empty, `put` on a full queue throws Full.
template <class T>
class QueueProxy : public detail::ProxyBase {
 public:
  QueueProxy() = default;
  void put(const T& item, bool block = true, std::optional<double> timeout = std::nullopt) const {
    call("put", {detail::encode(item), detail::encode(block), detail::encode_timeout(timeout)});
  }
  /// Refused at build time: the number would become `block` (detail/block_argument.hpp).
  template <detail::mistaken_block_argument B>
  void put(const T&, B, std::optional<double> = std::nullopt) const {
    static_assert(detail::refused_block_argument<B>,
                  "mproc: QueueProxy::put(item, 5.0) would mean block=true with no timeout (the "
                  "second argument is `bool block`); write put(item, true, 5.0) for a 5 s "
                  "timeout, or put_nowait(item) not to wait");
  }
  void put_nowait(const T& item) const { put(item, false); }
  T get(bool block = true, std::optional<double> timeout = std::nullopt) const {
    return detail::decode<T>(call("get", {detail::encode(block), detail::encode_timeout(timeout)}));
  }
  /// Refused at build time: the number would become `block` (detail/block_argument.hpp).
  template <detail::mistaken_block_argument B>
  T get(B, std::optional<double> = std::nullopt) const {
    static_assert(detail::refused_block_argument<B>,
                  "mproc: QueueProxy::get(5.0) would mean block=true with no timeout (the first "
                  "argument is `bool block`); write get(true, 5.0) for a 5 s timeout, or "
                  "get_nowait() not to wait");
    return get();
  }
  T get_nowait() const { return get(false); }
  std::size_t qsize() const { return call_as<std::uint64_t>("qsize"); }
  bool empty() const { return call_as<bool>("empty"); }
  bool full() const { return call_as<bool>("full"); }
  /// `<Queue(qsize=3)>`.
  std::string repr() const {
    return bound() ? "<Queue(qsize=" + std::to_string(qsize()) + ")>" : "<QueueProxy (unbound)>";
  }
  /// Marks one item taken with `get` as processed (ValueError if called too often).
  void task_done() const { call("task_done"); }
  /// Waits until every item put has been marked done.
  void join() const { call("join"); }

  /// Bound to an object on a server (see BaseManager::create).
  using ProxyBase::ProxyBase;
};

/// Lock, RLock, Semaphore and BoundedSemaphore proxies (Python's `AcquirerProxy`). A lock held
/// through a connection that goes away (its process died) is released by the server.
class AcquirerProxy : public detail::ProxyBase {
 public:
  AcquirerProxy() = default;
  bool acquire(bool block = true, std::optional<double> timeout = std::nullopt) const {
    return call_as<bool>("acquire", {detail::encode(block), detail::encode_timeout(timeout)});
  }
  /// Refused at build time: the number would become `block` (detail/block_argument.hpp).
  template <detail::mistaken_block_argument B>
  bool acquire(B, std::optional<double> = std::nullopt) const {
    static_assert(detail::refused_block_argument<B>,
                  "mproc: AcquirerProxy::acquire(5.0) would mean block=true with no timeout (the "
                  "first argument is `bool block`); write acquire(true, 5.0) for a 5 s timeout, "
                  "or acquire(false) not to wait");
    return false;
  }
  void release() const { call("release"); }
  void lock() const { (void)acquire(); }
  void unlock() const { release(); }
  bool try_lock() const { return acquire(false); }
  /// A semaphore's counter (a lock's: 1 free, 0 held).
  int get_value() const { return call_as<int>("get_value"); }

  /// Bound to an object on a server (see BaseManager::create).
  using ProxyBase::ProxyBase;
};
using LockProxy = AcquirerProxy;
using RLockProxy = AcquirerProxy;
using SemaphoreProxy = AcquirerProxy;

/// Python's `EventProxy`.
class EventProxy : public detail::ProxyBase {
 public:
  EventProxy() = default;
  bool is_set() const { return call_as<bool>("is_set"); }
  void set() const { call("set"); }
  void clear() const { call("clear"); }
  bool wait(std::optional<double> timeout = std::nullopt) const {
    return call_as<bool>("wait", {detail::encode_timeout(timeout)});
  }
  /// `<Event(set)>` or `<Event(unset)>`, as mproc::Event prints.
  std::string repr() const {
    if (!bound()) return "<EventProxy (unbound)>";
    return is_set() ? "<Event(set)>" : "<Event(unset)>";
  }

  /// Bound to an object on a server (see BaseManager::create).
  using ProxyBase::ProxyBase;
};

/// Python's `ConditionProxy`; its lock is an RLock unless one was given.
class ConditionProxy : public detail::ProxyBase {
 public:
  ConditionProxy() = default;
  bool acquire(bool block = true, std::optional<double> timeout = std::nullopt) const {
    return call_as<bool>("acquire", {detail::encode(block), detail::encode_timeout(timeout)});
  }
  /// Refused at build time: the number would become `block` (detail/block_argument.hpp).
  template <detail::mistaken_block_argument B>
  bool acquire(B, std::optional<double> = std::nullopt) const {
    static_assert(detail::refused_block_argument<B>,
                  "mproc: ConditionProxy::acquire(5.0) would mean block=true with no timeout (the "
                  "first argument is `bool block`); write acquire(true, 5.0) for a 5 s timeout, "
                  "or acquire(false) not to wait");
    return false;
  }
  void release() const { call("release"); }
  void lock() const { (void)acquire(); }
  void unlock() const { release(); }
  /// Releases the lock, waits for a notify (or the timeout), takes the lock back.
  bool wait(std::optional<double> timeout = std::nullopt) const {
    return call_as<bool>("wait", {detail::encode_timeout(timeout)});
  }
  /// Waits until `predicate()` is true (checked here, with the lock held), or the timeout.
  template <class Predicate>
  bool wait_for(Predicate predicate, std::optional<double> timeout = std::nullopt) const;
  void notify(int n = 1) const { call("notify", {detail::encode(n)}); }
  void notify_all() const { call("notify_all"); }

  /// Bound to an object on a server (see BaseManager::create).
  using ProxyBase::ProxyBase;
};

template <class Predicate>
bool ConditionProxy::wait_for(Predicate predicate, std::optional<double> timeout) const {
  return detail::wait_for_predicate([this](std::optional<double> left) { return wait(left); },
                                    predicate, timeout);
}

/// Python's `BarrierProxy`.
class BarrierProxy : public detail::ProxyBase {
 public:
  BarrierProxy() = default;
  /// Waits for all parties; returns this caller's index (0 .. parties-1). BrokenBarrierError if
  /// the barrier is or becomes broken, or the timeout passes.
  int wait(std::optional<double> timeout = std::nullopt) const {
    return call_as<int>("wait", {detail::encode_timeout(timeout)});
  }
  void abort() const { call("abort"); }
  void reset() const { call("reset"); }
  int parties() const { return call_as<int>("parties"); }
  int n_waiting() const { return call_as<int>("n_waiting"); }
  bool broken() const { return call_as<bool>("broken"); }

  /// Bound to an object on a server (see BaseManager::create).
  using ProxyBase::ProxyBase;
};

}  // namespace mproc
